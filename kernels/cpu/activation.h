// SwiGLU's activation: out = silu(gate) * up, where each row of the input holds the rank's
// gate columns followed by its up columns ([rows, 2f_r] -> [rows, f_r]).
#pragma once

#include <span>

namespace sp::kernels {

void silu_mul(std::span<const float> gate_up, std::span<float> out, int rows, int f_r);

}  // namespace sp::kernels
