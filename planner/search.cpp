#include "planner/search.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <numeric>
#include <tuple>

#include <fmt/format.h>

#include "planner/parallel_for.h"
#include "sim/common/error.h"
#include "sim/cost/cost_model.h"

namespace sp {

std::string candidate_label(const Candidate& c) {
  const auto& p = c.parallel;
  return fmt::format("tp{} pp{} dp{} ep{} seqs{} tok{} mb{}", p.tp, p.pp, p.dp, p.ep, c.max_num_seqs,
                     c.max_num_batched_tokens, c.microbatches);
}

namespace {

std::string split_label(const ParallelConfig& p) { return fmt::format("tp{} pp{} dp{} ep{}", p.tp, p.pp, p.dp, p.ep); }

std::vector<int> divisors(int n) {
  std::vector<int> d;
  for (int i = 1; i <= n; ++i) {
    if (n % i == 0) d.push_back(i);
  }
  return d;
}

// A TP group spans nodes when its contiguous ranks straddle a node boundary.
bool tp_crosses_nodes(const ParallelConfig& p, int gpus_per_node) {
  for (int first = 0; first < p.gpus(); first += p.tp) {
    if (first / gpus_per_node != (first + p.tp - 1) / gpus_per_node) return true;
  }
  return false;
}

// Expert-parallel degrees the engines can express: none, or every GPU of tp*dp (vLLM's
// --enable-expert-parallel).
std::vector<int> ep_choices(const ModelConfig& m, int tp, int dp) {
  if (!m.is_moe() || tp * dp == 1) return {1};
  return {1, tp * dp};
}

// Split-level rules: the same answer for every knob setting of the split.
std::optional<Rejected> split_rejection(const PlanRequest& req, const ParallelConfig& p) {
  const ModelConfig& m = req.model;
  Rejected r;
  r.c.parallel = p;
  if (!tp_divides_heads(m, p.tp)) {
    r.kind = "heads";
    r.reason = fmt::format("tp {} does not divide the {} attention heads / {} KV heads (vLLM needs heads % tp == 0 "
                           "and KV heads % tp == 0 or tp % KV heads == 0)", p.tp, m.num_heads, m.num_kv_heads);
    return r;
  }
  if (p.pp > m.num_layers) {
    r.kind = "layers";
    r.reason = fmt::format("pp {} exceeds the {} layers", p.pp, m.num_layers);
    return r;
  }
  try {
    parallel_validate(p, m, req.cluster);
  } catch (const InputError& e) {
    r.kind = p.ep > 1 ? "experts" : "split";
    r.reason = e.what();
    return r;
  }
  if (!req.allow_cross_node_tp && tp_crosses_nodes(p, req.cluster.system.gpus_per_node)) {
    r.kind = "cross-node TP";
    r.reason = fmt::format("a TP group of {} spans nodes of {} GPUs: every layer's AllReduce would cross the network "
                           "(slow); allow with --allow-cross-node-tp", p.tp, req.cluster.system.gpus_per_node);
    return r;
  }
  return std::nullopt;
}

struct WorkloadShape {
  double mean_in = 0, mean_out = 0;
  double rate_per_s = 0;  // 0 = offline or closed loop
  int64_t concurrency = 0;
  int64_t requests = 0;
  int64_t longest = 0;
};

WorkloadShape workload_shape(const std::vector<Request>& reqs, const WorkloadSpec& w) {
  WorkloadShape s;
  s.requests = int64_t(reqs.size());
  if (reqs.empty()) return s;
  int64_t first = reqs.front().arrival_ns, last = first;
  for (const auto& r : reqs) {
    s.mean_in += double(r.input_tokens);
    s.mean_out += double(r.output_tokens);
    s.longest = std::max<int64_t>(s.longest, int64_t(r.input_tokens) + r.output_tokens);
    first = std::min(first, r.arrival_ns);
    last = std::max(last, r.arrival_ns);
  }
  s.mean_in /= double(reqs.size());
  s.mean_out /= double(reqs.size());
  if (w.arrival == Arrival::closed_loop) s.concurrency = w.concurrency;
  else if (last > first) s.rate_per_s = double(reqs.size() - 1) / (double(last - first) * 1e-9);
  return s;
}

// Tier 1: the analytic estimate at the concurrency the workload would reach on one replica.
void estimate_candidate(const PlanRequest& req, const WorkloadShape& ws, const CostModel& cm, Evaluated& e) {
  const auto& p = e.c.parallel;
  const int64_t in = std::max<int64_t>(1, std::llround(ws.mean_in));
  const int64_t out = std::max<int64_t>(1, std::llround(ws.mean_out));
  const int64_t kv_cap = std::max<int64_t>(1, e.memory.kv_capacity_tokens / (in + out));
  const int overlap = std::min(e.c.microbatches, p.pp);  // batches that really run at once
  const int64_t cap = std::max<int64_t>(1, std::min<int64_t>(e.c.max_num_seqs * e.c.microbatches, kv_cap));
  auto run = [&](int64_t concurrency) {
    EstimateInput in_{.input_len = in, .output_len = out,
                      .batch_size = std::max<int64_t>(1, (concurrency + overlap - 1) / overlap),
                      .max_num_batched_tokens = e.c.max_num_batched_tokens, .max_num_seqs = e.c.max_num_seqs};
    return estimate(cm, in_);
  };
  int64_t B = 1;
  if (ws.rate_per_s > 0) {
    // Little's law, iterated from one request: concurrency = arrival rate x time in system.
    for (int i = 0; i < 6; ++i) {
      const Estimate est = run(B);
      B = std::clamp<int64_t>(std::llround(ws.rate_per_s / p.dp * est.e2e_s + 0.5), 1, cap);
    }
  } else {
    const int64_t want = ws.concurrency > 0 ? ws.concurrency : ws.requests;
    B = std::clamp<int64_t>((want + p.dp - 1) / p.dp, 1, cap);
  }
  e.estimate_batch = B;
  e.estimate = run(B);
  double thr = e.estimate.throughput_output_tok_s * overlap;
  if (ws.rate_per_s > 0) thr = std::min(thr, ws.rate_per_s * ws.mean_out);
  const double per_gpu = thr / p.gpus();
  const auto& slo = req.slo;
  e.estimate_meets_slo = slo.met(e.estimate.ttft_s, e.estimate.tpot_s, e.estimate.e2e_s);
  switch (req.objective) {
    case Objective::throughput: e.estimate_score = per_gpu; break;
    case Objective::latency: e.estimate_score = -e.estimate.e2e_s; break;
    case Objective::cost: e.estimate_score = req.gpu_hour_usd > 0 ? -req.gpu_hour_usd / std::max(per_gpu, 1e-12) : per_gpu; break;
  }
}

void judge(const PlanRequest& req, Evaluated& e) {
  const auto& m = e.sim.metrics;
  const int gpus = e.c.parallel.gpus();
  e.throughput_per_gpu = m.throughput_output_tok_s / gpus;
  if (req.gpu_hour_usd > 0 && m.throughput_output_tok_s > 0) {
    e.usd_per_mtok = req.gpu_hour_usd * gpus / 3600.0 / m.throughput_output_tok_s * 1e6;
  }
  e.slo_misses.clear();
  e.slo_worst_ratio = 0;
  auto check = [&](std::string_view what, double got, double limit) {
    if (limit <= 0) return;
    e.slo_worst_ratio = std::max(e.slo_worst_ratio, got / limit);
    if (got > limit) {
      e.slo_misses.push_back(fmt::format("{} p99 {:.1f} ms > {:.1f} ms (by {:.0f}%)", what, got * 1e3, limit * 1e3,
                                         100 * (got / limit - 1)));
    }
  };
  check("ttft", m.ttft_s.p99, req.slo.ttft_s);
  check("tpot", m.tpot_s.p99, req.slo.tpot_s);
  check("e2e", m.e2e_s.p99, req.slo.e2e_s);
  if (!e.sim.rejected.empty()) {
    e.slo_misses.push_back(fmt::format("{} requests can never fit", e.sim.rejected.size()));
    e.slo_worst_ratio = std::max(e.slo_worst_ratio, 1e9);
  }
  e.meets_slo = e.slo_misses.empty();
  switch (req.objective) {
    case Objective::throughput: e.score = e.throughput_per_gpu; break;
    case Objective::latency: e.score = -m.e2e_s.p99; break;
    case Objective::cost: e.score = e.usd_per_mtok > 0 ? -e.usd_per_mtok : e.throughput_per_gpu; break;
  }
}

// Scores within about 2% of each other tie: an open-loop workload below saturation serves the
// same tokens on every deployment, and what differs is the drain at the end of the makespan.
// Ties go to the lower p99 latency. Buckets keep the comparison a strict weak ordering.
int64_t score_bucket(double score) {
  if (score == 0) return 0;
  const int64_t k = std::llround(std::log(std::fabs(score)) / std::log(1.02));
  return score > 0 ? k : -k;
}

bool better(const Evaluated& a, const Evaluated& b) {
  if (a.meets_slo != b.meets_slo) return a.meets_slo;
  if (!a.meets_slo && a.slo_worst_ratio != b.slo_worst_ratio) return a.slo_worst_ratio < b.slo_worst_ratio;
  const int64_t ka = score_bucket(a.score), kb = score_bucket(b.score);
  if (ka != kb) return ka > kb;
  const double ea = a.sim.metrics.e2e_s.p99, eb = b.sim.metrics.e2e_s.p99;
  if (ea != eb) return ea < eb;
  if (a.c.parallel.gpus() != b.c.parallel.gpus()) return a.c.parallel.gpus() < b.c.parallel.gpus();
  return candidate_label(a.c) < candidate_label(b.c);
}


// Tier 2 for one candidate whose memory plan fits.
void simulate_candidate(const PlanRequest& req, const WorkloadSpec& w, const std::vector<Request>& reqs, Evaluated& e) {
  const CostModel cm(req.model, req.cluster, e.c.parallel, req.precision, req.engine.overheads);
  SimConfig cfg;
  cfg.scheduler.max_num_seqs = e.c.max_num_seqs;
  cfg.scheduler.max_num_batched_tokens = e.c.max_num_batched_tokens;
  cfg.scheduler.microbatches = e.c.microbatches;
  cfg.scheduler.reserve_full_kv = req.engine.reserve_full_kv;
  cfg.slo = req.slo;
  cfg.replicas = e.c.parallel.dp;
  cfg.tp = e.c.parallel.tp;
  cfg.kv_capacity_tokens = e.memory.kv_capacity_tokens;
  cfg.max_model_len = e.memory.max_model_len;
  cfg.concurrency = w.arrival == Arrival::closed_loop ? w.concurrency : 0;
  cfg.max_steps = req.max_steps_per_candidate;
  e.simulated = true;
  e.requests = int64_t(reqs.size());
  try {
    e.sim = simulate(cm, cfg, reqs);
  } catch (const InputError&) {
    // Over the step budget: no figures, so it can meet no SLO and ranks last.
    e.sim = SimResult{};
    judge(req, e);
    e.meets_slo = false;
    e.slo_misses = {fmt::format("simulation stopped: more than {} steps", req.max_steps_per_candidate)};
    e.slo_worst_ratio = 1e300;
    e.score = 0;
    e.throughput_per_gpu = 0;
    return;
  }
  judge(req, e);
}

}  // namespace

MemoryOptions memory_options(const PlanRequest& req, const Candidate& c, int64_t max_model_len) {
  MemoryOptions o{.max_num_batched_tokens = c.max_num_batched_tokens, .max_num_seqs = c.max_num_seqs,
                  .max_model_len = max_model_len, .gpu_memory_utilization = req.gpu_memory_utilization};
  if (o.gpu_memory_utilization <= 0) {
    o.gpu_memory_utilization = engine_memory_utilization(req.engine, req.model, req.cluster, c.parallel, req.precision, o);
  }
  return o;
}

namespace {

int64_t planned_max_model_len(const PlanRequest& req, const WorkloadShape& ws) {
  return req.max_model_len > 0 ? req.max_model_len : std::max<int64_t>(ws.longest, 1);
}

}  // namespace

Evaluated evaluate_candidate(const PlanRequest& req, const Candidate& c) {
  const WorkloadSpec& w = req.workload;
  const std::vector<Request> reqs = workload_generate(w);
  const WorkloadShape ws = workload_shape(reqs, w);
  Evaluated e;
  e.c = c;
  if (auto r = split_rejection(req, c.parallel)) {
    e.slo_misses.push_back(r->reason);
    e.slo_worst_ratio = 1e9;
    return e;
  }
  e.memory = memory_plan(req.model, req.cluster, c.parallel, req.precision,
                         memory_options(req, c, planned_max_model_len(req, ws)));
  e.cross_node_tp = tp_crosses_nodes(c.parallel, req.cluster.system.gpus_per_node);
  if (!e.memory.fits) {
    e.slo_misses.push_back("does not fit: " + e.memory.reason);
    e.slo_worst_ratio = 1e9;
    return e;
  }
  {
    const CostModel cm(req.model, req.cluster, c.parallel, req.precision, req.engine.overheads);
    estimate_candidate(req, ws, cm, e);
  }
  simulate_candidate(req, w, reqs, e);
  return e;
}

PlanResult plan_search(const PlanRequest& req) {
  const auto t0 = std::chrono::steady_clock::now();
  const int total = req.cluster.total_gpus();
  const int gpus = req.gpus > 0 ? req.gpus : total;
  if (gpus > total) {
    throw InputError(fmt::format("--gpus: {} exceeds the {} GPUs of {} node(s) of {}; raise --nodes or lower --gpus",
                                 gpus, total, req.cluster.nodes, req.cluster.system.name));
  }
  if (req.max_num_seqs_grid.empty() || req.max_num_batched_tokens_grid.empty() || req.microbatch_multiples.empty()) {
    throw InputError("plan: the scheduler grid is empty");
  }
  if (req.simulate_top < 1 || req.simulate_top > 4096) {
    throw InputError(fmt::format("--simulate-top: {} is out of range (use 1 to 4096)", req.simulate_top));
  }

  PlanResult res;
  const WorkloadSpec& w = req.workload;
  const std::vector<Request> reqs = workload_generate(w);
  const WorkloadShape ws = workload_shape(reqs, w);
  res.max_model_len = planned_max_model_len(req, ws);
  // Every engine refuses a request longer than its max-model-len, so no split could serve this
  // workload: say so once, rather than as a miss of every candidate.
  if (ws.longest > res.max_model_len) {
    throw InputError(fmt::format("--max-model-len: {} is shorter than the workload's longest request ({} tokens of "
                                 "input and output), which every engine would refuse; raise it, or give 0 for the "
                                 "longest request",
                                 res.max_model_len, ws.longest));
  }

  // Enumerate splits, then knob settings of the feasible ones.
  std::vector<Evaluated> feasible;
  std::vector<ParallelConfig> splits;
  for (int g = req.allow_fewer_gpus ? 1 : gpus; g <= gpus; ++g) {
    for (int tp : divisors(g)) {
      for (int pp : divisors(g / tp)) {
        const int dp = g / tp / pp;
        for (int ep : ep_choices(req.model, tp, dp)) splits.push_back({.tp = tp, .pp = pp, .dp = dp, .ep = ep});
      }
    }
  }
  for (const auto& p : splits) {
    std::vector<Candidate> knobs;
    for (int mult : p.pp > 1 ? req.microbatch_multiples : std::vector<int>{1}) {
      for (int64_t seqs : req.max_num_seqs_grid) {
        for (int64_t tok : req.max_num_batched_tokens_grid) {
          knobs.push_back({.parallel = p, .max_num_seqs = seqs, .max_num_batched_tokens = tok,
                           .microbatches = p.pp * mult});
        }
      }
    }
    res.candidates += int64_t(knobs.size());
    if (auto r = split_rejection(req, p)) {
      res.rejected.push_back(*r);
      continue;
    }
    std::optional<Rejected> best_miss;
    size_t fitting = 0;
    for (const auto& c : knobs) {
      MemoryReport mem = memory_plan(req.model, req.cluster, p, req.precision, memory_options(req, c, res.max_model_len));
      if (!mem.fits) {
        if (!best_miss || mem.missing_gib < best_miss->missing_gib) {
          best_miss = Rejected{.c = c, .kind = "memory", .reason = mem.reason, .missing_gib = mem.missing_gib};
        }
        continue;
      }
      ++fitting;
      Evaluated e;
      e.c = c;
      e.memory = std::move(mem);
      e.cross_node_tp = tp_crosses_nodes(p, req.cluster.system.gpus_per_node);
      feasible.push_back(std::move(e));
    }
    // A split is rejected for memory only when no knob setting fits; knob settings that do not
    // fit beside ones that do are not worth a line.
    if (fitting == 0 && best_miss) res.rejected.push_back(*best_miss);
  }
  res.feasible = int64_t(feasible.size());

  // Tier 1: estimate everything (one cost model per split, shared by its knob settings).
  const size_t n_est = feasible.size();
  auto report = [&](double frac) {
    if (req.progress) req.progress(frac);
  };
  {
    std::map<std::string, std::vector<size_t>> by_split;
    for (size_t i = 0; i < feasible.size(); ++i) by_split[split_label(feasible[i].c.parallel)].push_back(i);
    std::vector<std::vector<size_t>> groups;
    for (auto& [k, v] : by_split) groups.push_back(v);
    parallel_for(groups.size(), req.threads, [&](size_t gi) {
      const auto& idx = groups[gi];
      const CostModel cm(req.model, req.cluster, feasible[idx[0]].c.parallel, req.precision, req.engine.overheads);
      for (size_t i : idx) estimate_candidate(req, ws, cm, feasible[i]);
    }, req.progress ? std::function<void(size_t)>([&](size_t d) { report(0.2 * double(d) / double(std::max<size_t>(1, groups.size()))); }) : nullptr);
  }

  // Pick the top K by the estimate: first the best knob setting of each split, then a second
  // per split, then the rest, so the simulated alternatives show different splits.
  std::vector<size_t> order(n_est);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto& x = feasible[a];
    const auto& y = feasible[b];
    if (x.estimate_meets_slo != y.estimate_meets_slo) return x.estimate_meets_slo;
    const int64_t kx = score_bucket(x.estimate_score), ky = score_bucket(y.estimate_score);
    if (kx != ky) return kx > ky;
    if (x.estimate.e2e_s != y.estimate.e2e_s) return x.estimate.e2e_s < y.estimate.e2e_s;
    return candidate_label(x.c) < candidate_label(y.c);
  });
  std::vector<size_t> chosen;
  std::vector<bool> taken(n_est, false);
  for (int per_split_cap : {1, 2, INT32_MAX}) {
    std::map<std::string, int> per_split;
    for (size_t i : chosen) per_split[split_label(feasible[i].c.parallel)]++;
    for (size_t i : order) {
      if (int64_t(chosen.size()) >= req.simulate_top) break;
      if (taken[i] || per_split[split_label(feasible[i].c.parallel)] >= per_split_cap) continue;
      per_split[split_label(feasible[i].c.parallel)]++;
      taken[i] = true;
      chosen.push_back(i);
    }
  }

  // Tier 2: simulate the chosen ones with the workload.
  parallel_for(chosen.size(), req.threads, [&](size_t k) {
    simulate_candidate(req, w, reqs, feasible[chosen[k]]);
  }, req.progress ? std::function<void(size_t)>([&](size_t d) { report(0.2 + 0.8 * double(d) / double(std::max<size_t>(1, chosen.size()))); }) : nullptr);

  for (size_t i : chosen) res.ranked.push_back(std::move(feasible[i]));
  std::sort(res.ranked.begin(), res.ranked.end(), better);
  res.simulated = int64_t(res.ranked.size());
  if (!res.ranked.empty() && res.ranked.front().meets_slo) res.recommended = 0;

  // Pareto front of throughput per GPU (higher) against p99 end-to-end latency (lower).
  for (size_t i = 0; i < res.ranked.size(); ++i) {
    const auto& a = res.ranked[i];
    bool dominated = false;
    for (size_t j = 0; j < res.ranked.size() && !dominated; ++j) {
      const auto& b = res.ranked[j];
      const double ta = a.throughput_per_gpu, tb = b.throughput_per_gpu;
      const double la = a.sim.metrics.e2e_s.p99, lb = b.sim.metrics.e2e_s.p99;
      dominated = j != i && tb >= ta && lb <= la && (tb > ta || lb < la);
    }
    if (!dominated) res.pareto.push_back(i);
  }
  std::stable_sort(res.rejected.begin(), res.rejected.end(),
                   [](const Rejected& a, const Rejected& b) { return a.kind < b.kind; });
  res.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

namespace {

std::vector<int64_t> grid_with(std::vector<int64_t> grid, int64_t engine_default) {
  if (std::find(grid.begin(), grid.end(), engine_default) == grid.end()) grid.push_back(engine_default);
  std::sort(grid.begin(), grid.end());
  return grid;
}

}  // namespace

std::vector<int64_t> default_max_num_seqs_grid(const EnginePreset& engine) {
  return grid_with({64, 256}, engine.max_num_seqs);
}

std::vector<int64_t> default_max_num_batched_tokens_grid(const EnginePreset& engine) {
  return grid_with({2048, 8192}, engine.max_num_batched_tokens);
}

}  // namespace sp
