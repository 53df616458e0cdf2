// The simulator's speed targets (issue: discrete-event simulation), each as the whole job a
// `shardplan simulate` run does in-process: load model and profile, plan memory, generate
// the workload, build the cost model, simulate. Figures are stated in docs/performance.md.
#include <benchmark/benchmark.h>

#include "sim/cost/memory.h"
#include "sim/serving/simulator.h"

namespace {

struct Case {
  const char* model;
  int nodes;
  sp::ParallelConfig pc;
  int64_t requests;
  double rate;  // 0 = offline
  int in, out;
  int64_t max_model_len;
};

void run_case(benchmark::State& state, const Case& c) {
  for (auto _ : state) {
    auto m = sp::model_load(c.model);
    auto cl = sp::cluster_make("dgx-h100", c.nodes);
    auto mem = sp::memory_plan(m, cl, c.pc, {}, {.max_model_len = c.max_model_len});
    sp::WorkloadSpec w;
    w.input = {sp::LengthKind::fixed, double(c.in), 0};
    w.output = {sp::LengthKind::fixed, double(c.out), 0};
    w.num_requests = c.requests;
    if (c.rate > 0) {
      w.arrival = sp::Arrival::poisson;
      w.rate_per_s = c.rate;
    }
    auto reqs = sp::workload_generate(w);
    sp::CostModel cm(m, cl, c.pc, {});
    sp::SimConfig cfg;
    cfg.replicas = c.pc.dp;
    cfg.tp = c.pc.tp;
    cfg.kv_capacity_tokens = mem.kv_capacity_tokens;
    cfg.max_model_len = mem.max_model_len;
    auto r = sp::simulate(cm, cfg, reqs);
    benchmark::DoNotOptimize(r.metrics.makespan_s);
    state.counters["events"] = double(r.events);
  }
}

// Target: at most 20 ms for the whole process.
void BM_Llama2_70B_TP4_256_offline(benchmark::State& s) {
  run_case(s, {"llama-2-70b", 1, {.tp = 4}, 256, 0, 512, 128, 4096});
}
BENCHMARK(BM_Llama2_70B_TP4_256_offline)->Unit(benchmark::kMillisecond);

// Target: at most 0.2 s and 300 MB. Saturation of this deployment is ~35 req/s.
void BM_Llama31_70B_TP4PP2DP2_10k_poisson(benchmark::State& s) {
  run_case(s, {"llama-3.1-70b", 2, {.tp = 4, .pp = 2, .dp = 2}, 10000, 32, 1024, 256, 8192});
}
BENCHMARK(BM_Llama31_70B_TP4PP2DP2_10k_poisson)->Unit(benchmark::kMillisecond);

// Target: at most 30 s, memory not growing with decode tokens.
void BM_Llama31_70B_1M_poisson(benchmark::State& s) {
  run_case(s, {"llama-3.1-70b", 2, {.tp = 4, .pp = 2, .dp = 2}, 1000000, 32, 1024, 256, 8192});
}
BENCHMARK(BM_Llama31_70B_1M_poisson)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
