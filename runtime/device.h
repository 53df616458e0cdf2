// The compute interface the executor talks to (STYLE habit 6): one GEMM and the kernels of a
// Llama-style decoder. The CPU backend (runtime/cpu/cpu_device.h) runs Eigen and
// kernels/cpu; the CUDA backend will run cuBLAS and kernels/cuda behind the same calls.
// Buffers are host float spans today; a device backend will need its own buffer type here.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "kernels/cpu/attention.h"

namespace sp {

class DeviceBackend {
 public:
  virtual ~DeviceBackend() = default;
  virtual std::string_view name() const = 0;
  // y[m, n] = x[m, k] * w[k, n], all row-major.
  virtual void gemm(std::span<const float> x, std::span<const float> w, std::span<float> y, int m, int k,
                    int n) = 0;
  virtual void residual_rmsnorm(std::span<float> x, std::span<float> residual, std::span<const float> weight,
                                int rows, float eps) = 0;
  virtual void rotary(std::span<float> x, int rows, int stride, int offset, int heads, int d,
                      std::span<const int> positions, float theta) = 0;
  virtual void attention(std::span<const float> q, int q_stride, int q_len, int pos0, std::span<const float> k_cache,
                         std::span<const float> v_cache, const kernels::AttentionHeads& heads,
                         std::span<float> out) = 0;
  virtual void silu_mul(std::span<const float> gate_up, std::span<float> out, int rows, int f_r) = 0;
  virtual void embedding(std::span<const int32_t> tokens, std::span<const float> table, int64_t vocab_begin,
                         int64_t table_rows, int h, std::span<float> out) = 0;
  virtual void argmax(std::span<const float> logits, int rows, int64_t vocab, std::span<int32_t> out) = 0;
};

}  // namespace sp
