// SwiGLU's activation on the GPU; same semantics as kernels/cpu/activation.h on device pointers:
// gate_up is [rows, 2 f_r] (gate columns, then up columns), out is [rows, f_r].
#pragma once

#include "kernels/cuda/stream.h"

namespace sp::kernels::cuda {

void silu_mul(const float* gate_up, float* out, int rows, int f_r, cudaStream_t stream);

}  // namespace sp::kernels::cuda
