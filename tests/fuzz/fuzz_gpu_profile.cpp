// Fuzz target: a GPU profile (hardware_profiles/gpus/*.json), read strictly.
#include <cmath>

#include "sim/common/json_reader.h"
#include "sim/hardware/gpu_profile.h"
#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sp;
  return fuzz::run(data, size, [](std::string_view text) {
    const GpuProfile g = gpu_profile_from_json(json_parse_text(text, "gpu.json"), "gpu.json");
    FUZZ_CHECK(g.peak_bf16_tflops >= 1 && g.memory_gib >= 1 && g.memory_bandwidth_gb_s >= 1);
    FUZZ_CHECK(g.pcie_gen >= 1 && g.pcie_gen <= 7);
    for (double eff : {g.efficiency.gemm_compute, g.efficiency.memory, g.efficiency.attention_compute}) {
      FUZZ_CHECK(eff > 0 && eff <= 1);
    }
    FUZZ_CHECK(std::isfinite(g.peak_flops(DType::fp8)) && std::isfinite(g.memory_bytes_per_s()));
  });
}
