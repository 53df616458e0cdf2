// One GPU model: peaks, memory, efficiencies. Loaded from hardware_profiles/gpus/<name>.json,
// where every number carries its source.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "sim/common/dtype.h"
#include "sim/common/json_reader.h"

namespace sp {

// Fractions of peak that real kernels reach; analytic defaults until calibrate refines them.
struct Efficiency {
  double gemm_compute = 0.75;       // GEMM FLOP/s / peak, e.g. 0.80 on H100 (best shapes)
  double memory = 0.80;             // achieved HBM bandwidth / datasheet
  double attention_compute = 0.5;   // attention FLOP/s / peak bf16
};

struct GpuProfile {
  std::string name;                 // e.g. "h100-sxm"
  std::string description;
  double peak_bf16_tflops = 0;      // dense, e.g. 989
  double peak_fp8_tflops = 0;       // dense; 0 = no FP8 tensor cores (A100)
  double memory_gib = 0;            // HBM capacity, e.g. 80
  double memory_bandwidth_gb_s = 0; // HBM, decimal GB/s, e.g. 3350
  double nvlink_bandwidth_gb_s = 0; // per GPU, unidirectional; 0 = none
  int pcie_gen = 0;                 // 4, 5
  double kernel_overhead_us = 0;    // fixed cost per kernel (launch, tail), e.g. 3
  double runtime_overhead_gib = 0;  // CUDA context, graphs, allocator slack
  Efficiency efficiency;

  double peak_flops(DType t) const { return (t == DType::fp8 ? peak_fp8_tflops : peak_bf16_tflops) * 1e12; }
  double memory_bytes_per_s() const { return memory_bandwidth_gb_s * 1e9; }
};

GpuProfile gpu_profile_from_json(const json& j, std::string_view origin);
// A bundled name (hardware_profiles/gpus/<name>.json) or a path ending in .json or holding a
// '/', taken relative to `base_dir` (the system profile's folder) when it is relative.
GpuProfile gpu_profile_load(std::string_view name, const std::filesystem::path& base_dir = {});

// Every numeric field of a profile must name its source in "sources" ("a.b" for nested keys).
void require_sources(const json& profile, std::string_view origin);

}  // namespace sp
