// Causal grouped-query attention of one sequence over its KV cache, fp32.
//
// Layouts (row-major): q is [q_len, q_stride] with the rank's `heads` query heads of width d
// from column 0; the cache of the sequence is [positions, kv_heads * d] for K and for V, holding
// positions 0 .. pos0 + q_len - 1 already (the new tokens' K/V are written before the call);
// out is [q_len, heads * d]. Query row i sits at position pos0 + i and attends to 0 .. pos0 + i.
#pragma once

#include <span>

#include "kernels/attention_heads.h"

namespace sp::kernels {

void attention_causal(std::span<const float> q, int q_stride, int q_len, int pos0, std::span<const float> k_cache,
                      std::span<const float> v_cache, const AttentionHeads& hd, std::span<float> out);

}  // namespace sp::kernels
