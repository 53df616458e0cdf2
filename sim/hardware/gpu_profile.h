// One GPU model: peaks, memory, efficiencies. Loaded from hardware_profiles/gpus/<name>.json,
// where every number carries its source.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "sim/common/dtype.h"
#include "sim/common/json_reader.h"
#include "sim/hardware/shape_table.h"

namespace sp {

// Fractions of peak that real kernels reach; analytic defaults until calibrate refines them.
struct Efficiency {
  double gemm_compute = 0.75;       // GEMM FLOP/s / peak, e.g. 0.80 on H100 (best shapes)
  double memory = 0.80;             // achieved HBM bandwidth / datasheet
  double attention_compute = 0.5;   // attention FLOP/s / peak bf16
};

// Shape-dependent efficiencies fitted to measured kernels (optional; docs/formats.md). Each is
// the fraction of the op's ideal roofline time max(flops / peak, bytes / bandwidth), datasheet
// peaks, that the kernel attains; where a table is present it replaces the constants above
// for that op class, where it is empty the constants apply.
struct EfficiencyTables {
  ShapeTable gemm_bf16;          // x m (rows: tokens), y n*k (weight elements per rank)
  ShapeTable gemm_fp8;           // same axes, FP8 tensor cores
  ShapeTable attention_prefill;  // x new tokens per prefilling sequence, y sequences * query heads per rank
  ShapeTable attention_decode;   // x decoding sequences, y mean context tokens
  ShapeTable memory;             // x bytes moved by one memory-bound (elementwise) op
  bool empty() const {
    return gemm_bf16.empty() && gemm_fp8.empty() && attention_prefill.empty() && attention_decode.empty() &&
           memory.empty();
  }
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
  EfficiencyTables tables;          // optional curves by op shape; empty = constants only

  double peak_flops(DType t) const { return (t == DType::fp8 ? peak_fp8_tflops : peak_bf16_tflops) * 1e12; }
  double memory_bytes_per_s() const { return memory_bandwidth_gb_s * 1e9; }
};

GpuProfile gpu_profile_from_json(const json& j, std::string_view origin);
// A bundled name (hardware_profiles/gpus/<name>.json) or a path ending in .json or holding a
// '/', taken relative to `base_dir` (the system profile's folder) when it is relative.
GpuProfile gpu_profile_load(std::string_view name, const std::filesystem::path& base_dir = {});

// JSON of a profile, in the format gpu_profile_from_json reads; `sources` is written as given.
json gpu_profile_to_json(const GpuProfile& g, const json& sources);

// Every numeric field of a profile must name its source in "sources" ("a.b" for nested keys);
// a shape table (an object with "x_values") is one key and needs one source.
void require_sources(const json& profile, std::string_view origin);

}  // namespace sp
