// Causal grouped-query attention on the GPU, fp32, over the KV layout of kernels/cpu/attention.h
// (read that header for the layouts): per sequence q is [q_len, q_stride] with the rank's heads
// from column 0, K and V caches are [positions, kv_heads * d], out is [q_len, heads * d], and
// query row i sits at position pos0 + i. All pointers are device pointers.
//
// Both launchers are batched the way the executor stores a microbatch: `batch.seqs` sequences
// with the same q_len and pos0, sequence s reading q + s*q_len*q_stride and its caches at
// + s*batch.cache_seq_floats, writing out + s*q_len*heads*d. seqs = 1 is exactly the CPU call.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/attention_heads.h"
#include "kernels/cuda/stream.h"

namespace sp::kernels::cuda {

struct AttentionBatch {
  int seqs = 1;
  int64_t cache_seq_floats = 0;  // distance between two sequences' caches, e.g. max_ctx * kv_heads * d
};

// Largest head dimension the kernels take (d is also required to be even, as for RoPE).
inline constexpr int kAttentionMaxHeadDim = 256;

// Prefill (any q_len >= 1): tiles of 16 query rows of one head against 32-key tiles of the cache
// in shared memory, online softmax. Correct for q_len = 1 too; attention_decode is meant for
// that case (more blocks, K/V read once per group); neither has been timed on a GPU yet.
void attention_causal(const float* q, int q_stride, int q_len, int pos0, const float* k_cache, const float* v_cache,
                      const AttentionHeads& hd, float* out, const AttentionBatch& batch, cudaStream_t stream);

// Decode: one query token per sequence at position pos0 (context pos0 + 1). One block serves the
// `group` query heads that share a KV head, so each K/V row is read once for all of them; the
// context is split over several blocks (flash-decoding) when sequences x KV heads alone would
// leave the GPU idle, and the splits are merged by a second kernel through `workspace`.
// attention_decode_splits says how many splits a shape gets; workspace must hold
// attention_decode_workspace_bytes (0 when there is one split: workspace may then be null).
int attention_decode_splits(int seqs, int pos0, const AttentionHeads& hd);
size_t attention_decode_workspace_bytes(int seqs, int pos0, const AttentionHeads& hd);
void attention_decode(const float* q, int q_stride, int pos0, const float* k_cache, const float* v_cache,
                      const AttentionHeads& hd, float* out, const AttentionBatch& batch, void* workspace,
                      size_t workspace_bytes, cudaStream_t stream);

}  // namespace sp::kernels::cuda
