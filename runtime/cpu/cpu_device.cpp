#include "runtime/cpu/cpu_device.h"

#include <Eigen/Core>

#include "kernels/cpu/activation.h"
#include "kernels/cpu/embedding.h"
#include "kernels/cpu/norm.h"
#include "kernels/cpu/rotary.h"
#include "sim/common/error.h"

namespace sp {

void CpuDevice::gemm(std::span<const float> x, std::span<const float> w, std::span<float> y, int m, int k, int n) {
  SP_ASSERT(x.size() == size_t(m) * size_t(k) && w.size() == size_t(k) * size_t(n) &&
                y.size() == size_t(m) * size_t(n),
            "gemm: shape mismatch");
  using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<const Mat> X(x.data(), m, k), W(w.data(), k, n);
  Eigen::Map<Mat> Y(y.data(), m, n);
  Y.noalias() = X * W;
}

void CpuDevice::residual_rmsnorm(std::span<float> x, std::span<float> residual, std::span<const float> weight,
                                 int rows, float eps) {
  kernels::residual_rmsnorm(x, residual, weight, rows, eps);
}

void CpuDevice::rotary(std::span<float> x, int rows, int stride, int offset, int heads, int d,
                       std::span<const int> positions, float theta) {
  kernels::rotary_apply(x, rows, stride, offset, heads, d, positions, theta);
}

void CpuDevice::attention(std::span<const float> q, int q_stride, int q_len, int pos0,
                          std::span<const float> k_cache, std::span<const float> v_cache,
                          const kernels::AttentionHeads& heads, std::span<float> out) {
  kernels::attention_causal(q, q_stride, q_len, pos0, k_cache, v_cache, heads, out);
}

void CpuDevice::silu_mul(std::span<const float> gate_up, std::span<float> out, int rows, int f_r) {
  kernels::silu_mul(gate_up, out, rows, f_r);
}

void CpuDevice::embedding(std::span<const int32_t> tokens, std::span<const float> table, int64_t vocab_begin,
                          int64_t table_rows, int h, std::span<float> out) {
  kernels::embedding_lookup(tokens, table, vocab_begin, table_rows, h, out);
}

void CpuDevice::argmax(std::span<const float> logits, int rows, int64_t vocab, std::span<int32_t> out) {
  kernels::argmax_rows(logits, rows, vocab, out);
}

}  // namespace sp
