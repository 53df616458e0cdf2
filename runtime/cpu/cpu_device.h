// The CPU device backend: Eigen GEMMs (single-threaded: Eigen only threads under OpenMP, which
// this build does not enable, so one rank = one core) and the reference kernels of kernels/cpu.
#pragma once

#include "runtime/device.h"

namespace sp {

class CpuDevice final : public DeviceBackend {
 public:
  std::string_view name() const override { return "cpu"; }
  void gemm(std::span<const float> x, std::span<const float> w, std::span<float> y, int m, int k, int n) override;
  void residual_rmsnorm(std::span<float> x, std::span<float> residual, std::span<const float> weight, int rows,
                        float eps) override;
  void rotary(std::span<float> x, int rows, int stride, int offset, int heads, int d, std::span<const int> positions,
              float theta) override;
  void attention(std::span<const float> q, int q_stride, int q_len, int pos0, std::span<const float> k_cache,
                 std::span<const float> v_cache, const kernels::AttentionHeads& heads, std::span<float> out) override;
  void silu_mul(std::span<const float> gate_up, std::span<float> out, int rows, int f_r) override;
  void embedding(std::span<const int32_t> tokens, std::span<const float> table, int64_t vocab_begin,
                 int64_t table_rows, int h, std::span<float> out) override;
  void argmax(std::span<const float> logits, int rows, int64_t vocab, std::span<int32_t> out) override;
};

}  // namespace sp
