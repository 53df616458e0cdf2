// Fused residual add + RMSNorm on the GPU; same semantics as kernels/cpu/norm.h, on device
// pointers: x and residual are [rows, h] row-major fp32, weight is [h].
#pragma once

#include "kernels/cuda/stream.h"

namespace sp::kernels::cuda {

// residual += x; x = residual / rms(residual) * weight, row by row.
void residual_rmsnorm(float* x, float* residual, const float* weight, int rows, int h, float eps,
                      cudaStream_t stream);

}  // namespace sp::kernels::cuda
