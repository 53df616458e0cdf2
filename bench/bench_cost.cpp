// Cost-model throughput: how fast one iteration of one stage is priced. The simulator prices
// millions of iterations, so this is its inner loop.
#include <benchmark/benchmark.h>

#include "sim/cost/cost_model.h"
#include "sim/cost/estimate.h"

namespace {

void BM_StageTime70B(benchmark::State& state) {
  sp::CostModel cm(sp::model_load("llama-3.1-70b"), sp::cluster_make("dgx-h100", 1), {.tp = 4, .pp = 2}, {});
  auto b = sp::batch_decode(128, 1500);
  b += sp::batch_prefill(1, 512, 0);
  for (auto _ : state) benchmark::DoNotOptimize(cm.stage_time(0, b));
}
BENCHMARK(BM_StageTime70B);

void BM_StageTimeDeepSeek(benchmark::State& state) {
  sp::CostModel cm(sp::model_load("deepseek-v3"), sp::cluster_make("dgx-h200", 2), {.tp = 8, .pp = 2}, {});
  auto b = sp::batch_decode(64, 2000);
  for (auto _ : state) benchmark::DoNotOptimize(cm.stage_time(1, b));
}
BENCHMARK(BM_StageTimeDeepSeek);

void BM_Estimate405B(benchmark::State& state) {
  sp::CostModel cm(sp::model_load("llama-3.1-405b"), sp::cluster_make("dgx-h100", 4), {.tp = 8, .pp = 4}, {});
  for (auto _ : state) benchmark::DoNotOptimize(sp::estimate(cm, {.input_len = 2048, .output_len = 256, .batch_size = 64}));
}
BENCHMARK(BM_Estimate405B);

}  // namespace

BENCHMARK_MAIN();
