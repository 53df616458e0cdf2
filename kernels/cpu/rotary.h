// Rotary position embedding (RoPE), Hugging Face Llama's rotate-half form: dimension i of a
// head pairs with dimension i + d/2, rotated by position * theta^(-2i/d).
#pragma once

#include <span>

namespace sp::kernels {

// Rotates `heads` heads of width `d` in every row of `x` ([rows, stride], the heads starting
// at column `offset`) in place; row r is at position positions[r].
void rotary_apply(std::span<float> x, int rows, int stride, int offset, int heads, int d,
                  std::span<const int> positions, float theta);

}  // namespace sp::kernels
