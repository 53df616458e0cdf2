// Vocab-parallel embedding lookup and the greedy sampler.
#pragma once

#include <cstdint>
#include <span>

namespace sp::kernels {

// The rank owns vocabulary rows [vocab_begin, vocab_begin + table_rows) of the table
// ([table_rows, h]); a token outside them gives a zero row, and the AllReduce over the TP
// group completes every row (Megatron's VocabParallelEmbedding).
void embedding_lookup(std::span<const int32_t> tokens, std::span<const float> table, int64_t vocab_begin,
                      int64_t table_rows, int h, std::span<float> out);

// Greedy sampling: the index of the largest logit of each row ([rows, vocab]); ties go to the
// lower index, so every rank holding the same logits picks the same token.
void argmax_rows(std::span<const float> logits, int rows, int64_t vocab, std::span<int32_t> out);

}  // namespace sp::kernels
