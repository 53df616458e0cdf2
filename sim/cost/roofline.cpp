#include "sim/cost/roofline.h"

#include <algorithm>

namespace sp {

namespace {

// Ideal time of `flops` at `peak` and `bytes` at `bw`, divided by the fitted efficiency.
double fitted(double flops, double peak, double bytes, double bw, double eff) {
  return std::max(flops / peak, bytes / bw) / eff;
}

// The op's time from the GPU's fitted tables, or a negative number when none applies.
double table_time(const Op& op, const GpuProfile& gpu, bool& compute_bound) {
  const auto& t = gpu.tables;
  const double bw = gpu.memory_bytes_per_s();
  if (op.cls == OpClass::gemm) {
    const ShapeTable& tab = op.fp8_compute ? t.gemm_fp8 : t.gemm_bf16;
    if (tab.empty() || op.shape.m <= 0) return -1;
    const double peak = gpu.peak_flops(op.fp8_compute ? DType::fp8 : DType::bf16);
    compute_bound = op.flops / peak > op.bytes / bw;
    return fitted(op.flops, peak, op.bytes, bw, tab.at(op.shape.m, op.shape.nk));
  }
  if (op.cls == OpClass::attention) {
    if (t.attention_prefill.empty() || t.attention_decode.empty()) return -1;
    const OpShape& s = op.shape;
    const double peak = gpu.peak_flops(DType::bf16);
    double time = 0;
    if (s.prefill_flops > 0) {
      time += s.prefill_flops / peak / t.attention_prefill.at(s.prefill_len, s.prefill_seqs_heads);
    }
    if (s.decode_seqs > 0) {
      time += fitted(s.decode_flops, peak, s.decode_bytes, bw, t.attention_decode.at(s.decode_seqs, s.decode_context));
    }
    compute_bound = s.prefill_flops / peak > s.decode_bytes / bw;
    return time;
  }
  if (op.cls == OpClass::elementwise) {
    if (t.memory.empty() || op.bytes <= 0) return -1;
    compute_bound = false;
    return op.bytes / bw / t.memory.at(op.bytes);
  }
  return -1;
}

}  // namespace

OpTime op_time(const Op& op, const GpuProfile& gpu) {
  if (op_is_communication(op.cls)) return {};
  const double overhead_s = op.kernels * gpu.kernel_overhead_us * 1e-6;
  bool cb = false;
  if (const double t = table_time(op, gpu, cb); t >= 0) return OpTime{.time_s = t + overhead_s, .compute_bound = cb};
  const auto& e = gpu.efficiency;
  double compute_s = 0;
  if (op.cls == OpClass::gemm) {
    compute_s = op.flops / (gpu.peak_flops(op.fp8_compute ? DType::fp8 : DType::bf16) * e.gemm_compute);
  } else if (op.cls == OpClass::attention) {
    compute_s = op.flops / (gpu.peak_flops(DType::bf16) * e.attention_compute);
  }
  const double memory_s = op.bytes / (gpu.memory_bytes_per_s() * e.memory);
  return OpTime{.time_s = std::max(compute_s, memory_s) + overhead_s, .compute_bound = compute_s > memory_s};
}

}  // namespace sp
