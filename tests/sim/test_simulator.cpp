#include <doctest/doctest.h>

#include <cmath>

#include "sim/common/error.h"
#include "sim/cost/memory.h"
#include "sim/serving/simulator.h"

using namespace sp;

namespace {

// Stages that take a + b * tokens seconds, hand-offs that take `hand` seconds.
class LinearCoster final : public IterationCoster {
 public:
  LinearCoster(int p, double a, double b, double hand = 0) : p_(p), a_(a), b_(b), hand_(hand) {}
  int num_stages() const override { return p_; }
  StageTime stage_time(int, const BatchShape& x, TrafficBytes*) const override {
    return StageTime{.compute_s = a_ + b_ * x.tokens};
  }
  double handoff_time_s(int, const BatchShape&) const override { return hand_; }
  double handoff_bytes(const BatchShape& x) const override { return x.tokens; }
  int stage_layer_count(int) const override { return 1; }

 private:
  int p_;
  double a_, b_, hand_;
};

std::vector<Request> fixed(int n, int in, int out) {
  std::vector<Request> r(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) r[size_t(i)] = Request{0, in, out, i};
  return r;
}

SimConfig config(int64_t kv_tokens = 1 << 20) {
  SimConfig c;
  c.kv_capacity_tokens = kv_tokens;
  c.max_model_len = 1 << 20;
  return c;
}

SimResult run_real(const char* model, ParallelConfig pc, std::vector<Request> reqs, SimConfig cfg = config()) {
  auto m = model_load(model);
  auto c = cluster_make("dgx-h100", std::max(1, pc.gpus() / 8));
  auto mem = memory_plan(m, c, pc, {}, {.max_model_len = 8192});
  REQUIRE(mem.fits);
  cfg.kv_capacity_tokens = mem.kv_capacity_tokens;
  cfg.replicas = pc.dp;
  cfg.tp = pc.tp;
  CostModel cm(m, c, pc, {});
  return simulate(cm, cfg, reqs);
}

}  // namespace

TEST_SUITE("simulator") {

TEST_CASE("GPipe anchor: m equal microbatches over p equal stages bubble (p-1)/(m+p-1)") {
  for (int p : {2, 4, 8}) {
    for (int m : {1, 2, 4, 8, 16}) {
      CAPTURE(p);
      CAPTURE(m);
      LinearCoster cost(p, 1e-3, 0);
      SimConfig cfg = config();
      cfg.scheduler.kind = SchedulerKind::static_batch;
      cfg.scheduler.microbatches = m;
      auto r = simulate(cost, cfg, fixed(m, 100, 1));  // one request per microbatch, one pass each
      CHECK(r.metrics.bubble_fraction == doctest::Approx(double(p - 1) / (m + p - 1)).epsilon(1e-9));
      CHECK(r.metrics.makespan_s == doctest::Approx((m + p - 1) * 1e-3).epsilon(1e-9));
    }
  }
}

TEST_CASE("TTFT, TPOT and ITL on a hand-computed case") {
  // One request, 10 input and 3 output tokens; stage time 2 ms + 0.1 ms per token.
  LinearCoster cost(1, 2e-3, 1e-4);
  auto r = simulate(cost, config(), fixed(1, 10, 3));
  const double prefill = 2e-3 + 10 * 1e-4, step = 2e-3 + 1e-4;
  CHECK(r.metrics.ttft_s.mean == doctest::Approx(prefill));
  CHECK(r.metrics.e2e_s.mean == doctest::Approx(prefill + 2 * step));
  CHECK(r.metrics.tpot_s.mean == doctest::Approx(step));
  CHECK(r.metrics.itl_s.p50 == doctest::Approx(step).epsilon(0.01));
  CHECK(r.metrics.finished == 1);
}

TEST_CASE("a single request's TTFT is the sum of its prefill stage costs and hand-offs") {
  auto m = model_load("llama-3.1-70b");
  auto c = cluster_make("dgx-h100", 1);
  ParallelConfig pc{.tp = 2, .pp = 4};
  CostModel cm(m, c, pc, {});
  SimConfig cfg = config(100000);
  cfg.tp = 2;
  auto r = simulate(cm, cfg, fixed(1, 2000, 4));
  const auto b = batch_prefill(1, 2000);
  int64_t expect_ns = 0;
  for (int s = 0; s < 4; ++s) {
    expect_ns += std::llround(cm.stage_time(s, b).total_s() * 1e9);
    if (s < 3) expect_ns += std::llround(cm.handoff_time_s(s, b) * 1e9);
  }
  CHECK(r.metrics.ttft_s.mean == doctest::Approx(double(expect_ns) * 1e-9).epsilon(1e-12));
}

TEST_CASE("conservation: every request finishes or is reported") {
  LinearCoster cost(2, 1e-3, 1e-6);
  SimConfig cfg = config(4096);
  cfg.max_model_len = 3000;
  auto reqs = fixed(50, 500, 100);
  reqs[7].input_tokens = 5000;   // longer than max-model-len
  reqs[9].input_tokens = 2950;   // fits max-model-len? 3050 > 3000: no
  auto r = simulate(cost, cfg, reqs);
  CHECK(r.metrics.finished == 48);
  REQUIRE(r.rejected.size() == 2);
  CHECK(r.rejected[0].request == 7);
  CHECK(r.rejected[0].reason == "input + output = 5100 tokens exceeds max-model-len 3000");
}

TEST_CASE("KV pressure preempts and recomputes, never exceeding capacity") {
  LinearCoster cost(1, 1e-3, 1e-6);
  SimConfig cfg = config(2048);  // 128 blocks
  auto r = simulate(cost, cfg, fixed(40, 300, 200));
  CHECK(r.metrics.finished == 40);
  CHECK(r.metrics.preemptions > 0);
  CHECK(r.metrics.peak_kv_fraction <= 1.0);
  CHECK(r.metrics.peak_kv_fraction > 0.9);
}

TEST_CASE("closed loop keeps at most C requests outstanding") {
  LinearCoster cost(1, 1e-3, 0);
  SimConfig cfg = config();
  cfg.concurrency = 1;
  auto r = simulate(cost, cfg, fixed(5, 10, 4));
  // One at a time: each takes 4 iterations of 1 ms.
  CHECK(r.metrics.makespan_s == doctest::Approx(5 * 4e-3));
  CHECK(r.metrics.e2e_s.mean == doctest::Approx(4e-3));
}

TEST_CASE("DP replicas share the load") {
  LinearCoster cost(1, 1e-3, 1e-6);
  SimConfig one = config(), two = config();
  two.replicas = 2;
  auto a = simulate(cost, one, fixed(512, 100, 50));
  auto b = simulate(cost, two, fixed(512, 100, 50));
  CHECK(b.metrics.makespan_s < 0.6 * a.metrics.makespan_s);
}

TEST_CASE("determinism: the same inputs give identical metrics") {
  auto reqs = fixed(64, 700, 60);
  for (size_t i = 0; i < reqs.size(); ++i) reqs[i].arrival_ns = int64_t(i) * 3'000'000;
  auto a = run_real("llama-3.1-8b", {.tp = 2}, reqs);
  auto b = run_real("llama-3.1-8b", {.tp = 2}, reqs);
  CHECK(a.events == b.events);
  CHECK(a.metrics.e2e_s.p99 == b.metrics.e2e_s.p99);
  CHECK(a.metrics.itl_s.p50 == b.metrics.itl_s.p50);
}

TEST_CASE("physics: at batch 1, TP=4 decodes faster than PP=4 (70B, DGX H100)") {
  auto tp = run_real("llama-3.1-70b", {.tp = 4}, fixed(1, 512, 64));
  auto pp = run_real("llama-3.1-70b", {.pp = 4}, fixed(1, 512, 64));
  CHECK(tp.metrics.tpot_s.mean < 0.5 * pp.metrics.tpot_s.mean);
  CHECK(tp.metrics.ttft_s.mean < pp.metrics.ttft_s.mean);
}

TEST_CASE("physics: PP moves fewer bytes between GPUs than TP") {
  auto reqs = fixed(32, 512, 32);
  auto tp = run_real("llama-3.1-70b", {.tp = 4}, reqs);
  auto pp = run_real("llama-3.1-70b", {.tp = 1, .pp = 4}, reqs);
  const double tp_bytes = tp.metrics.allreduce_bytes + tp.metrics.allgather_bytes + tp.metrics.p2p_bytes;
  const double pp_bytes = pp.metrics.allreduce_bytes + pp.metrics.allgather_bytes + pp.metrics.p2p_bytes;
  CHECK(pp.metrics.allreduce_bytes == 0);
  CHECK(pp_bytes < 0.1 * tp_bytes);
}

TEST_CASE("physics: more microbatches in flight shrink the PP bubble") {
  auto bubble = [](int m) {
    SimConfig cfg;
    cfg.scheduler.kind = SchedulerKind::static_batch;
    cfg.scheduler.microbatches = m;
    return run_real("llama-3.1-70b", {.tp = 2, .pp = 4}, fixed(64, 256, 16), cfg).metrics.bubble_fraction;
  };
  const double b1 = bubble(1), b2 = bubble(2), b4 = bubble(4);
  CHECK(b1 > 0.7);  // one batch in a 4-stage pipeline: ~3/4 idle
  CHECK(b2 < b1);
  CHECK(b4 < b2);
  // Not zero: the last stage also runs the LM head and sampler, so the others wait on it,
  // and each microbatch's next step waits for its hand-offs.
  CHECK(b4 < 0.4);
}

TEST_CASE("--max-steps: the lower bound holds, and a run past the bound stops without a result") {
  const LinearCoster coster(2, 1e-3, 1e-6);
  const auto reqs = fixed(100, 64, 32);
  SimConfig cfg = config();
  cfg.scheduler.max_num_seqs = 16;
  // 3200 output tokens, iterations of at most 16 sequences: >= 200 iterations of 2 stage events.
  const uint64_t lower = simulate_min_steps(cfg, 2, reqs);
  CHECK(lower == 3200 + 200 * 2 * kStepsPerEvent);
  const SimResult full = simulate(coster, cfg, reqs);
  CHECK(full.steps >= lower);
  CHECK(full.steps - kStepsPerEvent * full.events >= 3200);  // every output token was a sequence-iteration
  REQUIRE(full.steps > lower + 1);
  cfg.max_steps = full.steps;  // exactly enough
  CHECK(simulate(coster, cfg, reqs).metrics.finished == 100);
  cfg.max_steps = (lower + full.steps) / 2;  // passes the up-front check, stops on the way
  CHECK_THROWS_WITH_AS(simulate(coster, cfg, reqs), doctest::Contains("simulation stopped at the --max-steps bound"),
                       InputError);
  cfg.max_steps = lower - 1;  // refused before running
  CHECK_THROWS_WITH_AS(simulate(coster, cfg, reqs), doctest::Contains("the workload needs at least"), InputError);
  // A closed loop of one request at a time needs an iteration per token.
  cfg.concurrency = 1;
  CHECK(simulate_min_steps(cfg, 2, reqs) == 3200 + 3200 * 2 * kStepsPerEvent);
  // Requests that will be rejected produce no tokens and do not count.
  cfg.max_model_len = 64;
  CHECK(simulate_min_steps(cfg, 2, reqs) == 0);
}

}  // TEST_SUITE

TEST_SUITE("simulator") {

TEST_CASE("two long prompts sharing a nearly full cache with batches in flight both finish") {
  // Regression: with two batches in flight per replica, an older sequence used to preempt
  // itself whenever the newer one was in flight, and two 20k-token prompts in a 21k-token
  // cache preempted each other for ever. Older sequences now wait for the batch in flight.
  const auto m = sp::model_load("llama-3.1-70b");
  const auto cl = sp::cluster_make("dgx-h100", 1);
  const sp::ParallelConfig pc{.tp = 1, .pp = 2, .dp = 1, .ep = 1};
  const auto mem = sp::memory_plan(m, cl, pc, {}, {.max_num_batched_tokens = 2048, .max_num_seqs = 64,
                                                   .max_model_len = 20480});
  REQUIRE(mem.fits);
  REQUIRE(mem.kv_capacity_tokens < 2 * 20480);  // two long requests cannot both fit
  sp::WorkloadSpec w;
  w.input = sp::length_dist_parse("uniform:12000:20000", "--input-len");
  w.output = sp::length_dist_parse("lognormal:400:200", "--output-len");
  w.num_requests = 50;
  w.arrival = sp::Arrival::poisson;
  w.rate_per_s = 0.5;
  w.max_len = 20480;
  const auto reqs = sp::workload_generate(w);
  sp::CostModel cm(m, cl, pc, {});
  sp::SimConfig cfg;
  cfg.scheduler.max_num_seqs = 64;
  cfg.scheduler.max_num_batched_tokens = 2048;
  cfg.scheduler.microbatches = 2;
  cfg.kv_capacity_tokens = mem.kv_capacity_tokens;
  cfg.max_model_len = mem.max_model_len;
  const sp::SimResult r = sp::simulate(cm, cfg, reqs);
  CHECK(r.metrics.finished == 50);
  CHECK(r.events < 2'000'000);
}

}
