// Fuzz target: a Hugging Face config.json, read as `--model PATH` reads it, then priced the way
// memory and estimate price it on one DGX H100, so absurd but accepted sizes meet the
// arithmetic downstream (overflow shows up under UBSan).
#include <cmath>

#include "sim/common/json_reader.h"
#include "sim/cost/estimate.h"
#include "sim/cost/memory.h"
#include "sim/model/model_config.h"
#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sp;
  return fuzz::run(data, size, [](std::string_view text) {
    static const Cluster cluster = cluster_make("dgx-h100", 1);
    const ModelConfig m = model_from_hf_json(json_parse_text(text, "config.json"), "config.json");
    FUZZ_CHECK(m.hidden >= 1 && m.num_layers >= 1 && m.num_heads >= 1 && m.head_dim >= 1 && m.vocab >= 1);
    FUZZ_CHECK(m.num_kv_heads >= 1 && m.num_heads % m.num_kv_heads == 0);
    FUZZ_CHECK(!m.is_moe() || (m.moe.experts_per_token >= 1 && m.moe.experts_per_token <= m.moe.num_experts));

    const auto tps = valid_tp_degrees(m, cluster.total_gpus());
    FUZZ_CHECK(!tps.empty() && tps.front() == 1);
    const ParallelConfig pc{.tp = tps.back()};
    MemoryOptions opt;
    opt.max_model_len = 4096;
    const MemoryReport r = memory_plan(m, cluster, pc, Precision{}, opt);
    for (const GpuMemory& g : r.per_gpu) {
      FUZZ_CHECK(std::isfinite(g.weights_bytes) && g.weights_bytes > 0);
      FUZZ_CHECK(std::isfinite(g.activation_bytes) && g.kv_capacity_tokens >= 0);
      FUZZ_CHECK(!r.fits || std::fabs(g.total_bytes() - g.capacity_bytes) <= 1e-6 * g.capacity_bytes);
    }
    const CostModel cm(m, cluster, pc, Precision{});
    const Estimate e = estimate(cm, EstimateInput{.input_len = 128, .output_len = 16, .batch_size = 2});
    FUZZ_CHECK(std::isfinite(e.e2e_s) && e.e2e_s > 0 && e.ttft_s <= e.e2e_s);
  });
}
