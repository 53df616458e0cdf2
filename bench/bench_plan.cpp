// The planner's speed targets (issue: planner), each the whole search a `shardplan plan` run
// does in-process: enumerate, check feasibility, estimate everything, simulate the top 8 with
// the workload. Figures are stated in docs/performance.md.
#include <benchmark/benchmark.h>

#include "planner/search.h"

namespace {

void run_plan(benchmark::State& state, const char* model, int nodes, double rate) {
  for (auto _ : state) {
    sp::PlanRequest q;
    q.model = sp::model_load(model);
    q.cluster = sp::cluster_make("dgx-h100", nodes);
    q.threads = 2;
    q.workload.num_requests = 2000;
    q.workload.input = sp::length_dist_parse("lognormal:1000:600", "--input-len");
    q.workload.output = sp::length_dist_parse("lognormal:250:150", "--output-len");
    q.workload.arrival = sp::Arrival::poisson;
    q.workload.rate_per_s = rate;
    q.slo = sp::slo_parse("ttft_p99_ms=2000,tpot_p99_ms=100");
    const sp::PlanResult r = sp::plan_search(q);
    benchmark::DoNotOptimize(r.ranked.data());
    state.counters["candidates"] = double(r.candidates);
    state.counters["simulated"] = double(r.simulated);
  }
}

// Target: under 2 s on the 2-core development machine.
void BM_Plan70B_OneDgxH100_2000req(benchmark::State& s) { run_plan(s, "llama-3.1-70b", 1, 8); }
// Target: under 10 s.
void BM_Plan405B_FourDgxH100_2000req(benchmark::State& s) { run_plan(s, "llama-3.1-405b", 4, 4); }

BENCHMARK(BM_Plan70B_OneDgxH100_2000req)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Plan405B_FourDgxH100_2000req)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
