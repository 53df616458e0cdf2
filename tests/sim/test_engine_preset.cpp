#include <doctest/doctest.h>

#include "sim/common/error.h"
#include "sim/cost/estimate.h"
#include "sim/hardware/system_profile.h"
#include "sim/model/model_config.h"
#include "sim/serving/engine_preset.h"
#include "sim/serving/simulator.h"
#include "sim/serving/workload.h"

using namespace sp;

namespace {
GpuProfile gpu_load_h100() { return gpu_profile_load("h100-sxm"); }
}  // namespace

TEST_SUITE("engine_preset") {

TEST_CASE("engine names parse and print one spelling each") {
  for (auto e : {Engine::vllm, Engine::trtllm, Engine::sglang}) CHECK(engine_parse(engine_name(e)) == e);
  CHECK_FALSE(engine_parse("vLLM").has_value());
}

TEST_CASE("vLLM sizes its budgets by the GPU, the others do not") {
  const auto h100 = gpu_profile_load("h100-sxm"), a100 = gpu_profile_load("a100-sxm"), l40s = gpu_profile_load("l40s");
  CHECK(engine_preset(Engine::vllm, h100).max_num_batched_tokens == 8192);
  CHECK(engine_preset(Engine::vllm, h100).max_num_seqs == 1024);
  CHECK(engine_preset(Engine::vllm, a100).max_num_batched_tokens == 2048);  // A100: excluded by name
  CHECK(engine_preset(Engine::vllm, a100).max_num_seqs == 256);
  CHECK(engine_preset(Engine::vllm, l40s).max_num_seqs == 256);             // 48 GiB
  CHECK(engine_preset(Engine::trtllm, a100).max_num_seqs == 2048);
  CHECK(engine_preset(Engine::trtllm, a100).max_num_batched_tokens == 8192);
}

TEST_CASE("the step overhead is paid once per iteration, and eager launches only where kernels are short") {
  const auto model = model_load("llama-3.1-8b");
  const auto cluster = cluster_make("dgx-h100", 1);
  const ParallelConfig pc{.tp = 1, .pp = 1, .dp = 1, .ep = 1};
  const Precision prec{};
  const CostModel plain(model, cluster, pc, prec);
  const CostModel stepped(model, cluster, pc, prec, EngineOverheads{.step_us = 500, .graph_max_seqs = 1e9, .eager_launch_us = 0});
  const BatchShape decode = batch_decode(64, 1000);
  CHECK(stepped.stage_time(0, decode).total_s() - plain.stage_time(0, decode).total_s() == doctest::Approx(500e-6));
  CHECK(stepped.stage_time(0, decode).overhead_s == doctest::Approx(500e-6));
  // Without graphs a decode step of short kernels waits for launches; a long prefill hides them.
  const CostModel eager(model, cluster, pc, prec, EngineOverheads{.step_us = 0, .graph_max_seqs = 0, .eager_launch_us = 4});
  CHECK(eager.stage_time(0, decode).overhead_s > 0);
  const BatchShape prefill = batch_prefill(4, 2048);
  CHECK(eager.stage_time(0, prefill).overhead_s < 0.01 * eager.stage_time(0, prefill).total_s());
}

}  // TEST_SUITE

TEST_SUITE("engine_preset") {

TEST_CASE("reserving each request's whole KV at admission (TensorRT-LLM) never preempts") {
  const CostModel cm(model_load("llama-3.1-8b"), cluster_make("dgx-h100", 1), ParallelConfig{}, Precision{});
  WorkloadSpec w;
  w.input = LengthDist{LengthKind::fixed, 512, 0};
  w.output = LengthDist{LengthKind::fixed, 512, 0};
  w.num_requests = 32;
  const auto reqs = workload_generate(w);
  SimConfig cfg;
  cfg.kv_capacity_tokens = 4096;  // room for 4 whole requests
  cfg.max_model_len = 1024;
  const SimResult greedy = simulate(cm, cfg, reqs);
  CHECK(greedy.metrics.preemptions > 0);
  cfg.scheduler.reserve_full_kv = true;
  const SimResult reserved = simulate(cm, cfg, reqs);
  CHECK(reserved.metrics.preemptions == 0);
  CHECK(reserved.metrics.finished == 32);
  CHECK(engine_preset(Engine::trtllm, gpu_load_h100()).reserve_full_kv);
  CHECK_FALSE(engine_preset(Engine::vllm, gpu_load_h100()).reserve_full_kv);
}

}  // TEST_SUITE

TEST_SUITE("engine_preset") {

TEST_CASE("TensorRT-LLM's free-memory fraction and the share of the whole GPU are inverses") {
  const auto m = model_load("llama-3.1-70b");
  const auto c = cluster_make("dgx-h100", 1);
  const EnginePreset trt = engine_preset(Engine::trtllm, c.system.gpu);
  const MemoryOptions opt{.max_num_batched_tokens = 8192, .max_num_seqs = 256, .max_model_len = 4096};
  const double util = engine_memory_utilization(trt, m, c, {.tp = 8}, {}, opt);
  CHECK(util > 0.9);  // 0.9 of what is left is more than 0.9 of the GPU once weights take their part
  MemoryOptions at = opt;
  at.gpu_memory_utilization = util;
  const MemoryReport mem = memory_plan(m, c, {.tp = 8}, {}, at);
  CHECK(free_memory_fraction(mem, c.system.gpu.memory_gib, util) == doctest::Approx(0.9));
  // Nothing left: no fraction gives the KV anything.
  const MemoryReport full = memory_plan(model_load("llama-3.1-405b"), c, {.tp = 8}, {}, at);
  CHECK(free_memory_fraction(full, c.system.gpu.memory_gib, util) == 0);
}

}  // TEST_SUITE

TEST_SUITE("engine_preset") {

TEST_CASE("without chunked prefill the token budget covers the longest request, as vLLM's") {
  CHECK(unchunked_token_budget(8192, false, 131072, false) == 131072);  // defaults up to the longest
  CHECK(unchunked_token_budget(8192, false, 4096, true) == 8192);       // never below the engine's
  CHECK(unchunked_token_budget(16384, true, 16384, true) == 16384);
  CHECK_THROWS_WITH_AS(unchunked_token_budget(8192, true, 16384, true),
                       "--no-chunked-prefill: --max-num-batched-tokens 8192 is below --max-model-len 16384, so "
                       "longer prompts could never be scheduled (vLLM refuses this too); raise "
                       "--max-num-batched-tokens or lower --max-model-len",
                       InputError);
}

}  // TEST_SUITE
