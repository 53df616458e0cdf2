// out = silu(gate) * up, elementwise. Launch: grid = (rows, ceil(f_r / 256)), block = 256; a
// 2-D grid avoids a division per element and keeps each block's reads of gate and of up
// contiguous; rows go in grid.x, which has no 65535 limit. expf (not __expf) so that the
// result stays within a few ulp of the CPU's.
#include "kernels/cuda/activation.h"

#include "kernels/cuda/cuda_check.h"
#include "sim/common/error.h"

namespace sp::kernels::cuda {
namespace {

__global__ void silu_mul_kernel(const float* gate_up, float* out, int f_r) {
  const int i = blockIdx.y * blockDim.x + threadIdx.x;
  if (i >= f_r) return;
  const float* g = gate_up + size_t(blockIdx.x) * 2 * size_t(f_r);
  const float gv = g[i];
  out[size_t(blockIdx.x) * size_t(f_r) + i] = gv / (1.0f + expf(-gv)) * g[f_r + i];
}

}  // namespace

void silu_mul(const float* gate_up, float* out, int rows, int f_r, cudaStream_t stream) {
  SP_ASSERT(rows >= 0 && f_r > 0, "cuda silu_mul: bad shape");
  if (rows == 0) return;
  const dim3 grid(rows, (f_r + 255) / 256);
  silu_mul_kernel<<<grid, 256, 0, stream>>>(gate_up, out, f_r);
  SP_CUDA_CHECK_LAUNCH();
}

}  // namespace sp::kernels::cuda
