#include "sim/cost/roofline.h"

#include <algorithm>

namespace sp {

OpTime op_time(const Op& op, const GpuProfile& gpu) {
  if (op_is_communication(op.cls)) return {};
  const auto& e = gpu.efficiency;
  double compute_s = 0;
  if (op.cls == OpClass::gemm) {
    compute_s = op.flops / (gpu.peak_flops(op.fp8_compute ? DType::fp8 : DType::bf16) * e.gemm_compute);
  } else if (op.cls == OpClass::attention) {
    compute_s = op.flops / (gpu.peak_flops(DType::bf16) * e.attention_compute);
  }
  const double memory_s = op.bytes / (gpu.memory_bytes_per_s() * e.memory);
  return OpTime{.time_s = std::max(compute_s, memory_s) + op.kernels * gpu.kernel_overhead_us * 1e-6,
                .compute_bound = compute_s > memory_s};
}

}  // namespace sp
