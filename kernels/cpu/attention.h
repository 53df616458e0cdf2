// Causal grouped-query attention of one sequence over its KV cache, fp32.
//
// Layouts (row-major): q is [q_len, q_stride] with the rank's `heads` query heads of width d
// from column 0; the cache of the sequence is [positions, kv_heads * d] for K and for V, holding
// positions 0 .. pos0 + q_len - 1 already (the new tokens' K/V are written before the call);
// out is [q_len, heads * d]. Query row i sits at position pos0 + i and attends to 0 .. pos0 + i.
#pragma once

#include <span>

namespace sp::kernels {

// Which cached KV head a query head reads, on a TP rank that holds a slice of the heads: global
// query head g reads global KV head g / group (group = a / k), and the rank's cache starts at
// global KV head kv_head0 (replicated heads when t > k keep this rule).
struct AttentionHeads {
  int heads = 0;     // a_r, query heads on this rank
  int kv_heads = 0;  // k_r, KV heads in this rank's cache
  int d = 0;         // head dim
  int q_head0 = 0;   // global index of the rank's first query head
  int kv_head0 = 0;  // global index of the rank's first KV head
  int group = 1;     // a / k
};

void attention_causal(std::span<const float> q, int q_stride, int q_len, int pos0, std::span<const float> k_cache,
                      std::span<const float> v_cache, const AttentionHeads& hd, std::span<float> out);

}  // namespace sp::kernels
