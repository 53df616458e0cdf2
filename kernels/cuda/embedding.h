// Vocab-parallel embedding lookup and the greedy sampler on the GPU; same semantics as
// kernels/cpu/embedding.h, on device pointers.
#pragma once

#include <cstdint>

#include "kernels/cuda/stream.h"

namespace sp::kernels::cuda {

// out[t] = table[tokens[t] - vocab_begin] when that row is in [0, table_rows), else zeros.
// tokens: [n_tokens], table: [table_rows, h], out: [n_tokens, h].
void embedding_lookup(const int32_t* tokens, int n_tokens, const float* table, int64_t vocab_begin,
                      int64_t table_rows, int h, float* out, cudaStream_t stream);

// out[r] = index of the largest of logits[r, 0 .. vocab), ties to the lower index (as
// std::max_element). logits: [rows, vocab], out: [rows]. NaN logits are not supported.
void argmax_rows(const float* logits, int rows, int64_t vocab, int32_t* out, cudaStream_t stream);

}  // namespace sp::kernels::cuda
