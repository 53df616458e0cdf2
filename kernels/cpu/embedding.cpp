#include "kernels/cpu/embedding.h"

#include <algorithm>

#include "sim/common/error.h"

namespace sp::kernels {

void embedding_lookup(std::span<const int32_t> tokens, std::span<const float> table, int64_t vocab_begin,
                      int64_t table_rows, int h, std::span<float> out) {
  SP_ASSERT(out.size() == tokens.size() * size_t(h) && table.size() == size_t(table_rows) * size_t(h),
            "embedding_lookup: shape mismatch");
  for (size_t t = 0; t < tokens.size(); ++t) {
    const int64_t row = int64_t(tokens[t]) - vocab_begin;
    float* o = out.data() + t * size_t(h);
    if (row < 0 || row >= table_rows) std::fill(o, o + h, 0.0f);
    else std::copy_n(table.data() + size_t(row) * size_t(h), h, o);
  }
}

void argmax_rows(std::span<const float> logits, int rows, int64_t vocab, std::span<int32_t> out) {
  SP_ASSERT(logits.size() == size_t(rows) * size_t(vocab) && out.size() == size_t(rows), "argmax_rows: shape");
  for (int r = 0; r < rows; ++r) {
    const float* l = logits.data() + size_t(r) * size_t(vocab);
    out[size_t(r)] = int32_t(std::max_element(l, l + vocab) - l);  // first maximum
  }
}

}  // namespace sp::kernels
