// Rotary position embedding (rotate-half) on the GPU; same semantics as kernels/cpu/rotary.h,
// with x and positions on the device.
#pragma once

#include "kernels/cuda/stream.h"

namespace sp::kernels::cuda {

// Rotates `heads` heads of width `d` (even) in every row of x ([rows, stride], heads from
// column `offset`) in place; row r is at position positions[r] (device array of `rows` ints).
void rotary_apply(float* x, int rows, int stride, int offset, int heads, int d, const int* positions, float theta,
                  cudaStream_t stream);

}  // namespace sp::kernels::cuda
