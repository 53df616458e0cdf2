// fp32 -> bf16 conversion for the bf16 GEMM path (gemm.h). Launch: grid-stride loop, 256
// threads, at most 1024 blocks: a memory-bound copy needs no more to fill the GPU.
#include <cuda_bf16.h>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/gemm.h"

namespace sp::kernels::cuda {
namespace {

__global__ void to_bf16_kernel(const float* src, uint16_t* dst, size_t count) {
  for (size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += size_t(gridDim.x) * blockDim.x)
    dst[i] = __bfloat16_as_ushort(__float2bfloat16_rn(src[i]));
}

}  // namespace

void convert_to_bf16(const float* src, uint16_t* dst, size_t count, cudaStream_t stream) {
  if (count == 0) return;
  const size_t blocks = (count + 255) / 256;
  to_bf16_kernel<<<unsigned(blocks < 1024 ? blocks : 1024), 256, 0, stream>>>(src, dst, count);
  SP_CUDA_CHECK_LAUNCH();
}

}  // namespace sp::kernels::cuda
