#include <doctest/doctest.h>

#include "sim/cost/estimate.h"
#include "sim/hardware/system_profile.h"
#include "sim/model/model_config.h"
#include "sim/serving/engine_preset.h"

using namespace sp;

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
