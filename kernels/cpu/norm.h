// Fused residual add + RMSNorm, as vLLM runs it between the blocks of a decoder layer.
// Rows are tokens, row-major [rows, h]; fp32 throughout.
#pragma once

#include <span>

namespace sp::kernels {

// residual += x; x = residual / rms(residual) * weight, row by row.
// The first layer starts from residual = 0, so the same call serves every norm of the stack.
void residual_rmsnorm(std::span<float> x, std::span<float> residual, std::span<const float> weight, int rows,
                      float eps);

}  // namespace sp::kernels
