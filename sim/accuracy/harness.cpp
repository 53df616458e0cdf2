#include "sim/accuracy/harness.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "sim/common/data_dir.h"
#include "sim/common/error.h"
#include "sim/cost/estimate.h"
#include "sim/cost/memory.h"
#include "sim/hardware/topology.h"
#include "sim/model/model_config.h"
#include "sim/serving/simulator.h"
#include "sim/serving/workload.h"

namespace sp {

namespace {

// The calibrated profile of (system, engine) when one is committed, else the bundled system.
// NCCL records use any calibrated profile of the system: all carry the same NCCL tables.
std::string profile_for(const std::string& system, const RecordTask& t, bool calibrated) {
  if (!calibrated) return system;
  const auto dir = data_dir() / "hardware_profiles" / "calibrated";
  std::vector<Engine> engines{t.engine};
  if (t.family == Family::collective) engines = {Engine::vllm, Engine::trtllm, Engine::sglang};
  for (Engine e : engines) {
    const auto p = dir / fmt::format("{}-{}.json", system, engine_name(e));
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p.string();
  }
  return system;
}

std::string profile_label(const std::string& profile) {
  return profile.find('/') == std::string::npos ? profile
                                                : "calibrated/" + std::filesystem::path(profile).filename().string();
}

// Placement of `nodes` x `ranks_per_node` ranks: the first GPUs of each node.
std::vector<int> place(int nodes, int ranks_per_node, int gpus_per_node) {
  std::vector<int> g;
  for (int n = 0; n < nodes; ++n)
    for (int i = 0; i < ranks_per_node; ++i) g.push_back(n * gpus_per_node + i);
  return g;
}

double predict_collective(const RecordTask& t, const std::string& profile) {
  const Cluster c = cluster_make(profile, t.nodes);
  if (t.ranks_per_node > c.system.gpus_per_node) {
    throw InputError(fmt::format("{} ranks per node exceed the {} GPUs of {}", t.ranks_per_node, c.system.gpus_per_node,
                                 c.system.name));
  }
  const Topology topo(c);
  const GroupLinks l = topo.group_links(place(t.nodes, t.ranks_per_node, c.system.gpus_per_node));
  const int n = t.nodes * t.ranks_per_node;
  auto busbw = [&](double S) { return S / collective_time_s(t.op, S, l) * bus_bandwidth_factor(t.op, n) / 1e9; };
  switch (t.kind) {
    case TaskKind::collective_time: return collective_time_s(t.op, t.bytes, l) * 1e3;
    case TaskKind::busbw: return busbw(t.bytes);
    case TaskKind::busbw_peak: {
      double best = 0;
      for (double S = 64.0 * 1024; S <= 16.0 * 1024 * 1024 * 1024; S *= 2) best = std::max(best, busbw(S));
      return best;
    }
    default: SP_ASSERT(false, "not a collective task");
  }
  return 0;
}

double predict_model(const RecordTask& t, const std::string& profile, const AccuracyOptions& opt) {
  const ModelConfig model = model_load(t.model);
  const Cluster cluster = cluster_make(profile, 1 + (t.parallel.gpus() - 1) / system_profile_load(profile).gpus_per_node);
  const EnginePreset eng = engine_preset(t.engine, cluster.system.gpu);
  MemoryOptions mem{.max_num_batched_tokens = eng.max_num_batched_tokens,
                    .max_num_seqs = eng.max_num_seqs,
                    .max_model_len = t.input_len + t.output_len,
                    .gpu_memory_utilization = 0.9};
  if (t.kind != TaskKind::offline) {
    // Static engines (gptSessionBenchmark) run the whole batch as one: its prompts prefill
    // together and every sequence decodes in each step.
    mem.max_num_seqs = std::max<int64_t>(t.batch, 1);
    mem.max_num_batched_tokens = std::max<int64_t>(t.batch, 1) * t.input_len;
  }
  mem.gpu_memory_utilization = engine_memory_utilization(eng, model, cluster, t.parallel, t.precision, mem);
  MemoryReport r = memory_plan(model, cluster, t.parallel, t.precision, mem);
  if (!r.fits) throw InputError("does not fit in the memory model: " + r.reason);
  const CostModel cm(model, cluster, t.parallel, t.precision, eng.overheads);
  if (t.kind == TaskKind::offline) {
    const int64_t per_req = t.input_len + t.output_len;
    const int64_t concurrency = std::min<int64_t>(eng.max_num_seqs, std::max<int64_t>(1, r.kv_capacity_tokens / per_req));
    WorkloadSpec w;
    w.input = LengthDist{LengthKind::fixed, double(t.input_len), 0};
    w.output = LengthDist{LengthKind::fixed, double(t.output_len), 0};
    w.num_requests = std::clamp<int64_t>(4 * concurrency * t.parallel.dp, opt.min_requests, opt.max_requests);
    w.max_len = r.max_model_len;
    SimConfig cfg;
    cfg.scheduler.max_num_seqs = eng.max_num_seqs;
    cfg.scheduler.max_num_batched_tokens = eng.max_num_batched_tokens;
    cfg.replicas = t.parallel.dp;
    cfg.tp = t.parallel.tp;
    cfg.kv_capacity_tokens = r.kv_capacity_tokens;
    cfg.max_model_len = r.max_model_len;
    const SimResult s = simulate(cm, cfg, workload_generate(w));
    if (!s.rejected.empty()) throw InputError("requests rejected: " + s.rejected[0].reason);
    return s.metrics.throughput_output_tok_s / t.per_gpus;
  }
  const int64_t need = t.batch * (t.input_len + t.output_len);
  if (need > r.kv_capacity_tokens) {
    throw InputError(fmt::format("a batch of {} needs {} KV tokens, the cache holds {}", t.batch, need, r.kv_capacity_tokens));
  }
  const EstimateInput in{.input_len = t.input_len,
                         .output_len = t.output_len,
                         .batch_size = t.batch,
                         .max_num_batched_tokens = mem.max_num_batched_tokens,
                         .max_num_seqs = mem.max_num_seqs};
  const Estimate e = estimate(cm, in);
  if (t.kind == TaskKind::ttft) return e.ttft_s * 1e3;
  return e.throughput_output_tok_s / t.per_gpus;
}

// Records that differ only in the split share this key.
std::string split_group_key(const PublishedRecord& r) {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}", r.gpu_key, r.model, r.precision, r.input_len.value_or(-1),
                     r.output_len.value_or(-1), r.batch.value_or(-1), r.metric, r.unit, r.framework);
}

}  // namespace

FamilyStats family_stats(std::string name, std::vector<double> errors_pct) {
  FamilyStats f{.name = std::move(name), .count = int(errors_pct.size())};
  if (errors_pct.empty()) return f;
  for (double& e : errors_pct) e = std::abs(e);
  std::sort(errors_pct.begin(), errors_pct.end());
  const size_t n = errors_pct.size();
  f.median_ape = n % 2 ? errors_pct[n / 2] : (errors_pct[n / 2 - 1] + errors_pct[n / 2]) / 2;
  double sum = 0;
  for (double e : errors_pct) sum += e;
  f.mape = sum / double(n);
  return f;
}

RankingStats ranking_stats(const std::vector<std::vector<std::pair<double, double>>>& groups) {
  RankingStats s;
  for (const auto& g : groups) {
    if (g.size() < 2) continue;
    s.groups++;
    for (size_t i = 0; i < g.size(); ++i) {
      for (size_t j = i + 1; j < g.size(); ++j) {
        const double a = (g[i].first - g[j].first) * (g[i].second - g[j].second);
        if (a > 0) s.concordant++;
        else if (a < 0) s.discordant++;
      }
    }
  }
  const int n = s.concordant + s.discordant;
  s.tau = n > 0 ? double(s.concordant - s.discordant) / n : 0;
  return s;
}

AccuracyReport accuracy_run(const std::vector<PublishedRecord>& records, const AccuracyOptions& opt) {
  AccuracyReport rep;
  std::map<std::string, std::vector<std::pair<double, double>>> groups;
  for (const auto& rec : records) {
    const RecordMapping m = record_map(rec);
    if (!m.task) {
      rep.unmapped.push_back({rec.id, m.reason});
      continue;
    }
    const RecordTask& t = *m.task;
    const std::string profile = profile_for(t.system, t, opt.calibrated);
    double pred = 0;
    try {
      pred = t.family == Family::collective ? predict_collective(t, profile) : predict_model(t, profile, opt);
    } catch (const InputError& e) {
      rep.unmapped.push_back({rec.id, e.what()});
      continue;
    }
    rep.results.push_back(RecordResult{.id = rec.id, .family = t.family, .kind = t.kind, .predicted = pred,
                                       .published = rec.value, .unit = rec.unit, .profile = profile_label(profile)});
    if (t.family != Family::collective) groups[split_group_key(rec)].push_back({rec.value, pred});
  }
  for (Family f : {Family::offline_throughput, Family::static_throughput, Family::latency, Family::collective}) {
    std::vector<double> errs;
    for (const auto& r : rep.results)
      if (r.family == f) errs.push_back(r.error_pct());
    rep.families.push_back(family_stats(std::string(family_name(f)), errs));
  }
  std::vector<double> busbw;
  for (const auto& r : rep.results) {
    const auto it = std::find_if(records.begin(), records.end(), [&](const PublishedRecord& p) { return p.id == r.id; });
    const double bytes = it->message_size_bytes ? *it->message_size_bytes : size_parse(it->message_size).value_or(0);
    if (r.kind == TaskKind::busbw && it->collective == "all_reduce" && bytes >= 1024.0 * 1024) busbw.push_back(r.error_pct());
  }
  rep.families.push_back(family_stats("allreduce busbw >= 1 MiB", busbw));
  std::vector<std::vector<std::pair<double, double>>> g;
  for (auto& [k, v] : groups) g.push_back(std::move(v));
  rep.ranking = ranking_stats(g);
  return rep;
}

}  // namespace sp
