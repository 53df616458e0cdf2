#include "kernels/cpu/attention.h"

#include <cmath>

#include <Eigen/Core>

#include "sim/common/error.h"

namespace sp::kernels {

void attention_causal(std::span<const float> q, int q_stride, int q_len, int pos0, std::span<const float> k_cache,
                      std::span<const float> v_cache, const AttentionHeads& hd, std::span<float> out) {
  const int d = hd.d, kv_width = hd.kv_heads * d, ctx = pos0 + q_len;
  SP_ASSERT(q.size() >= size_t(q_len) * size_t(q_stride) && out.size() == size_t(q_len) * size_t(hd.heads * d),
            "attention_causal: q/out shape");
  SP_ASSERT(k_cache.size() >= size_t(ctx) * size_t(kv_width) && v_cache.size() >= size_t(ctx) * size_t(kv_width),
            "attention_causal: cache shorter than the context");
  using Strided = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0,
                             Eigen::OuterStride<>>;
  const float scale = 1.0f / std::sqrt(float(d));
  Eigen::VectorXf p(ctx);
  for (int h = 0; h < hd.heads; ++h) {
    const int kvh = kv_head_of(hd, h);
    SP_ASSERT(kvh >= 0 && kvh < hd.kv_heads, "attention_causal: query head maps outside the rank's KV heads");
    Strided K(k_cache.data() + kvh * d, ctx, d, Eigen::OuterStride<>(kv_width));
    Strided V(v_cache.data() + kvh * d, ctx, d, Eigen::OuterStride<>(kv_width));
    for (int i = 0; i < q_len; ++i) {
      const int n = pos0 + i + 1;
      Eigen::Map<const Eigen::VectorXf> qv(q.data() + size_t(i) * size_t(q_stride) + size_t(h * d), d);
      auto s = p.head(n);
      s.noalias() = K.topRows(n) * qv;
      s *= scale;
      s = (s.array() - s.maxCoeff()).exp().matrix();
      s /= s.sum();
      Eigen::Map<Eigen::VectorXf> o(out.data() + size_t(i) * size_t(hd.heads * d) + size_t(h * d), d);
      o.noalias() = V.topRows(n).transpose() * s;
    }
  }
}

}  // namespace sp::kernels
