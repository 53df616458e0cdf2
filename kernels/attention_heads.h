// Which query heads and KV heads a rank's attention covers, shared by the CPU reference
// (kernels/cpu/attention.h) and the CUDA kernels (kernels/cuda/attention.h) so that the head
// mapping is written once. Plain C++17 with no includes: nvcc compiles it in .cu files.
#pragma once

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

// The rank-local KV head read by rank-local query head h. constexpr so that CUDA device code can
// call it too (the CUDA kernels build with --expt-relaxed-constexpr).
constexpr int kv_head_of(const AttentionHeads& hd, int h) { return (hd.q_head0 + h) / hd.group - hd.kv_head0; }

}  // namespace sp::kernels
