// Residual RMSNorm, one block per row (a row is a token's h values, 2-32 KB: one block reads it
// from global memory twice, which L1/L2 serve the second time). Variants: none.
// Launch: grid = rows, block = min(1024, h rounded up to a warp) threads. One block per row
// because a row is independent and small; the sum of squares is a block reduction.
#include "kernels/cuda/norm.h"

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/reduce.cuh"
#include "sim/common/error.h"

namespace sp::kernels::cuda {
namespace {

__global__ void residual_rmsnorm_kernel(float* x, float* residual, const float* weight, int h, float eps) {
  __shared__ float scratch[32];
  const size_t base = size_t(blockIdx.x) * size_t(h);
  float ss = 0.0f;
  for (int i = threadIdx.x; i < h; i += blockDim.x) {
    const float r = residual[base + i] + x[base + i];
    residual[base + i] = r;
    ss += r * r;
  }
  const float inv = rsqrtf(detail::block_sum(ss, scratch) / float(h) + eps);
  // Each thread reads back only the residual elements it wrote itself: no barrier needed.
  for (int i = threadIdx.x; i < h; i += blockDim.x) x[base + i] = residual[base + i] * inv * weight[i];
}

}  // namespace

void residual_rmsnorm(float* x, float* residual, const float* weight, int rows, int h, float eps,
                      cudaStream_t stream) {
  SP_ASSERT(rows >= 0 && h > 0, "cuda residual_rmsnorm: bad shape");
  if (rows == 0) return;
  const int threads = h >= 1024 ? 1024 : (h + 31) / 32 * 32;
  residual_rmsnorm_kernel<<<rows, threads, 0, stream>>>(x, residual, weight, h, eps);
  SP_CUDA_CHECK_LAUNCH();
}

}  // namespace sp::kernels::cuda
