#include <doctest/doctest.h>

#include "sim/cost/estimate.h"
#include "sim/cost/memory.h"
#include "sim/model/weights.h"

using namespace sp;

TEST_SUITE("estimate") {

TEST_CASE("decode at batch 1 is bounded below by weight bytes / HBM bandwidth") {
  auto m = model_load("llama-3.1-70b");
  auto c = cluster_make("dgx-h100", 1);
  for (int tp : {1, 2, 4, 8}) {
    CAPTURE(tp);
    CostModel cm(m, c, {.tp = tp}, {});
    auto e = estimate(cm, {.input_len = 128, .output_len = 128, .batch_size = 1});
    auto mem = memory_plan(m, c, {.tp = tp}, {}, {.max_model_len = 4096});
    const double floor_s = mem.per_gpu[0].weights_bytes / (3350e9);
    CHECK(e.decode_step_s > floor_s);
    CHECK(e.decode_step_s < 2.5 * floor_s + 1e-3);  // memory-bound: near the floor, not far above
  }
}

TEST_CASE("compute-bound prefill is bounded below by FLOPs / peak") {
  auto m = model_load("llama-3.1-8b");
  CostModel cm(m, cluster_make("dgx-h100", 1), {.tp = 1}, {});
  auto e = estimate(cm, {.input_len = 4096, .output_len = 2, .batch_size = 8});
  const double flops = 2.0 * double(model_param_count(m)) * 8 * 4096;  // GEMMs alone
  CHECK(e.prefill_s > flops / 989e12);
  CHECK(e.prefill_s < 3 * flops / 989e12);
  CHECK(e.breakdown.compute_s > e.breakdown.memory_s);
}

TEST_CASE("iterations respect the token and sequence budgets") {
  CostModel cm(model_load("llama-3.1-70b"), cluster_make("dgx-h100", 1), {.tp = 8}, {});
  auto pass = [&](const BatchShape& b) { return cm.stage_time(0, b).total_s(); };
  // 32 prompts of 1024 in iterations of 8192 tokens: 4 iterations of 8 prompts.
  auto e = estimate(cm, {.input_len = 1024, .output_len = 2, .batch_size = 32});
  CHECK(e.prefill_s == doctest::Approx(4 * pass(batch_prefill(8, 1024))));
  // One 20000-token prompt in chunks of 8192, 8192 and 3616 tokens.
  auto l = estimate(cm, {.input_len = 20000, .output_len = 2, .batch_size = 1});
  CHECK(l.prefill_s == doctest::Approx(pass(batch_prefill(1, 8192, 0, false)) + pass(batch_prefill(1, 8192, 8192, false)) +
                                       pass(batch_prefill(1, 3616, 16384))));
  // 300 decoding sequences with max_num_seqs 256: two iterations per step.
  auto d = estimate(cm, {.input_len = 100, .output_len = 2, .batch_size = 300});
  CHECK(d.decode_step_s == doctest::Approx(pass(batch_decode(256, 101)) + pass(batch_decode(44, 101))));
}

TEST_CASE("TTFT, TPOT and e2e are consistent") {
  CostModel cm(model_load("llama-3.1-70b"), cluster_make("dgx-h100", 1), {.tp = 4, .dp = 2}, {});
  auto e = estimate(cm, {.input_len = 1000, .output_len = 100, .batch_size = 16});
  CHECK(e.e2e_s == doctest::Approx(e.ttft_s + 99 * e.tpot_s));
  CHECK(e.throughput_output_tok_s == doctest::Approx(2 * 16 * 100 / e.e2e_s));
  CHECK(e.breakdown.total_s() == doctest::Approx(e.e2e_s));
  CHECK(e.breakdown.comm_s > 0);
}

TEST_CASE("TP lowers single-request decode latency; PP does not") {
  auto m = model_load("llama-3.1-70b");
  auto c = cluster_make("dgx-h100", 1);
  auto tpot = [&](ParallelConfig pc) {
    return estimate(CostModel(m, c, pc, {}), {.input_len = 512, .output_len = 64, .batch_size = 1}).tpot_s;
  };
  CHECK(tpot({.tp = 4}) < tpot({.tp = 2}));
  CHECK(tpot({.tp = 4}) < tpot({.pp = 4}));
  CHECK(tpot({.pp = 4}) == doctest::Approx(tpot({.pp = 1})).epsilon(0.05));
}

}  // TEST_SUITE
