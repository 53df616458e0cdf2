#include "report/study.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "planner/parallel_for.h"
#include "planner/search.h"
#include "sim/common/error.h"
#include "sim/common/json_reader.h"
#include "sim/cost/memory.h"
#include "sim/hardware/system_profile.h"
#include "sim/model/model_config.h"
#include "sim/serving/engine_preset.h"

namespace sp::report {

namespace {

std::vector<std::string> strings(ObjectReader& r, std::string_view key) {
  const json& v = r.raw(key);
  std::vector<std::string> out;
  if (!v.is_array() || v.empty()) throw InputError(r.where(key) + ": expected a non-empty array of strings");
  for (const auto& x : v) {
    if (!x.is_string()) throw InputError(r.where(key) + ": expected a non-empty array of strings");
    out.push_back(x.get<std::string>());
  }
  return out;
}

std::vector<int> small_ints(const json& v, const std::string& where, int lo, int hi) {
  std::vector<int> out;
  if (!v.is_array() || v.empty()) throw InputError(where + ": expected a non-empty array of integers");
  for (const auto& x : v) {
    if (!x.is_number_integer() || x.get<int64_t>() < lo || x.get<int64_t>() > hi) {
      throw InputError(fmt::format("{}: expected integers in [{}, {}]", where, lo, hi));
    }
    out.push_back(x.get<int>());
  }
  return out;
}

std::vector<int> divisors(int n) {
  std::vector<int> out;
  for (int d = 1; d <= n; ++d) {
    if (n % d == 0) out.push_back(d);
  }
  return out;
}

// The request the planner would get for this group and workload: one split is then evaluated
// exactly as `shardplan plan` evaluates a candidate.
PlanRequest group_request(const StudySpec& s, const ModelConfig& m, const Cluster& c, int64_t requests) {
  PlanRequest q;
  q.model = m;
  q.cluster = c;
  q.precision.weights = dtype_parse(s.dtype, "dtype");
  q.precision.kv = q.precision.weights;
  q.engine = engine_preset(Engine::vllm, c.system.gpu);
  q.allow_cross_node_tp = true;  // the study measures what cross-node TP costs instead of refusing it
  q.max_model_len = s.input_len + s.output_len;
  q.workload.input = {LengthKind::fixed, double(s.input_len), 0};
  q.workload.output = {LengthKind::fixed, double(s.output_len), 0};
  q.workload.num_requests = requests;
  q.threads = 1;
  return q;
}

Candidate candidate(const StudySpec& s, int tp, int pp, int inflight) {
  return {.parallel = {.tp = tp, .pp = pp, .dp = 1, .ep = 1},
          .max_num_seqs = s.max_num_seqs,
          .max_num_batched_tokens = s.max_num_batched_tokens,
          .microbatches = inflight};
}

const GpuMemory& fullest(const MemoryReport& m) {
  SP_ASSERT(!m.per_gpu.empty(), "a memory report without GPUs");
  return *std::max_element(m.per_gpu.begin(), m.per_gpu.end(), [](const GpuMemory& a, const GpuMemory& b) {
    return a.weights_bytes + a.activation_bytes + a.overhead_bytes < b.weights_bytes + b.activation_bytes + b.overhead_bytes;
  });
}

}  // namespace

std::string StudyGroup::name() const { return fmt::format("{} on {} x {}", model, nodes, hardware); }
std::string SplitResult::label() const { return fmt::format("tp{} pp{}", tp, pp); }

StudySpec study_from_json(const json& j, const std::string& origin) {
  ObjectReader r(j, origin);
  StudySpec s;
  r.integer("schema_version", 1, 1);  // the only version there is
  s.name = r.string("name");
  s.description = r.string_opt("description").value_or("");
  s.models = strings(r, "models");
  const json& systems = r.raw("systems");
  if (!systems.is_array() || systems.empty()) throw InputError(r.where("systems") + ": expected a non-empty array");
  for (size_t i = 0; i < systems.size(); ++i) {
    ObjectReader sr(systems[i], origin, fmt::format("/systems/{}", i));
    StudySystem sys{.hardware = sr.string("hardware")};
    sys.nodes = small_ints(sr.raw("nodes"), sr.where("nodes"), 1, 64);
    sr.finish();
    s.systems.push_back(sys);
  }
  s.input_len = r.integer_opt("input_len", 1, 1 << 20).value_or(s.input_len);
  s.output_len = r.integer_opt("output_len", 2, 1 << 20).value_or(s.output_len);
  s.saturation_requests = r.integer_opt("saturation_requests", 2, 100000).value_or(s.saturation_requests);
  s.max_num_seqs = r.integer_opt("max_num_seqs", 1, 1 << 20).value_or(s.max_num_seqs);
  s.max_num_batched_tokens = r.integer_opt("max_num_batched_tokens", 1, 1 << 24).value_or(s.max_num_batched_tokens);
  if (r.has("inflight_per_stage")) s.inflight_per_stage = small_ints(r.raw("inflight_per_stage"), r.where("inflight_per_stage"), 1, 64);
  s.long_context = r.integer_opt("long_context", 1, 1 << 24).value_or(s.long_context);
  s.dtype = r.string_opt("dtype").value_or(s.dtype);
  dtype_parse(s.dtype, r.where("dtype"));
  r.finish();
  return s;
}

StudySpec study_load(const std::filesystem::path& path) { return study_from_json(json_load_file(path), path.string()); }

StudyResult study_run(const StudySpec& spec, int threads) {
  const auto t0 = std::chrono::steady_clock::now();
  StudyResult res;
  res.spec = spec;
  std::vector<ModelConfig> models;
  for (const auto& name : spec.models) models.push_back(model_load(name));

  struct Task {
    size_t model = 0;
    Cluster cluster;
    StudyGroup group;
    int tp = 1, pp = 1, inflight_per_stage = 0;  // 0: the main pair of runs (batch 1, saturation)
  };
  std::vector<Task> tasks;
  for (size_t mi = 0; mi < models.size(); ++mi) {
    for (const auto& sys : spec.systems) {
      for (int nodes : sys.nodes) {
        const Cluster c = cluster_make(sys.hardware, nodes);
        const StudyGroup g{.model = spec.models[mi], .hardware = sys.hardware, .nodes = nodes,
                           .pcie = c.system.intra.fabric == Fabric::pcie};
        res.groups.push_back(g);
        const int gpus = c.total_gpus();
        for (int tp : divisors(gpus)) {
          tasks.push_back({mi, c, g, tp, gpus / tp, 0});
          const ParallelConfig pc{.tp = tp, .pp = gpus / tp};
          MemoryOptions mo{.max_num_batched_tokens = spec.max_num_batched_tokens, .max_num_seqs = spec.max_num_seqs,
                           .max_model_len = spec.long_context};
          LongContextFit lc{.group = g, .tp = tp, .pp = gpus / tp};
          if (tp_divides_heads(models[mi], tp) && gpus / tp <= models[mi].num_layers) {
            const MemoryReport m = memory_plan(models[mi], c, pc, {dtype_parse(spec.dtype, "dtype"), dtype_parse(spec.dtype, "dtype")}, mo);
            lc.fits = m.fits;
            lc.kv_tokens = m.kv_capacity_tokens;
          }
          res.long_context.push_back(lc);
        }
        // The bubble against batches in flight, on the PP-only split.
        for (int k : spec.inflight_per_stage) tasks.push_back({mi, c, g, 1, gpus, k});
      }
    }
  }

  // Heads rule and KV bytes per token per GPU for every degree up to the head count.
  const Cluster ref = cluster_make(spec.systems.front().hardware, 1);
  for (size_t mi = 0; mi < models.size(); ++mi) {
    const ModelConfig& m = models[mi];
    const Precision prec{dtype_parse(spec.dtype, "dtype"), dtype_parse(spec.dtype, "dtype")};
    for (int tp = 1; tp <= m.num_heads; ++tp) {
      HeadsRow h{.model = spec.models[mi], .heads = m.num_heads, .kv_heads = m.num_kv_heads, .tp = tp,
                 .divides_heads = m.num_heads % tp == 0,
                 .kv_rule = m.num_kv_heads % tp == 0 || tp % m.num_kv_heads == 0,
                 .allowed = tp_divides_heads(m, tp)};
      // Only degrees that divide the heads or pass the KV rule say something; the rest are noise.
      if (!h.divides_heads && !h.kv_rule) continue;
      if (h.allowed) {
        const int nodes = (tp + ref.system.gpus_per_node - 1) / ref.system.gpus_per_node;
        const Cluster c = cluster_make(spec.systems.front().hardware, nodes);
        const MemoryReport mr = memory_plan(m, c, {.tp = tp}, prec, {.max_model_len = 1});
        h.kv_bytes_per_token_per_gpu = mr.per_gpu.front().kv_bytes_per_token;
      }
      res.heads.push_back(h);
    }
    const MemoryReport one = memory_plan(m, ref, {}, prec, {.max_model_len = 1});
    res.model_weights_gib.emplace_back(spec.models[mi], one.per_gpu.front().weights_bytes / kGiB);
  }

  std::vector<SplitResult> splits(tasks.size());
  std::vector<BubblePoint> bubbles(tasks.size());
  parallel_for(tasks.size(), threads, [&](size_t i) {
    const Task& t = tasks[i];
    const ModelConfig& m = models[t.model];
    if (t.inflight_per_stage > 0) {
      const PlanRequest q = group_request(spec, m, t.cluster, spec.saturation_requests);
      const Evaluated e = evaluate_candidate(q, candidate(spec, t.tp, t.pp, t.inflight_per_stage * t.pp));
      bubbles[i] = {.group = t.group, .tp = t.tp, .pp = t.pp, .inflight_per_stage = t.inflight_per_stage,
                    .bubble = e.simulated ? e.sim.metrics.bubble_fraction : -1,
                    .tok_s = e.simulated ? e.sim.metrics.throughput_output_tok_s : 0};
      return;
    }
    SplitResult& s = splits[i];
    s.group = t.group;
    s.tp = t.tp;
    s.pp = t.pp;
    const Evaluated one = evaluate_candidate(group_request(spec, m, t.cluster, 1), candidate(spec, t.tp, t.pp, t.pp));
    const Evaluated sat =
        evaluate_candidate(group_request(spec, m, t.cluster, spec.saturation_requests), candidate(spec, t.tp, t.pp, t.pp));
    s.cross_node_tp = sat.cross_node_tp;
    if (!one.simulated || !sat.simulated) {
      s.why_not = !sat.slo_misses.empty() ? sat.slo_misses.front() : "not simulated";
      return;
    }
    s.fits = true;
    const SimMetrics& b = one.sim.metrics;
    s.b1_ttft_ms = b.ttft_s.mean * 1e3;
    s.b1_tpot_ms = b.tpot_s.mean * 1e3;
    s.b1_e2e_ms = b.e2e_s.mean * 1e3;
    const SimMetrics& x = sat.sim.metrics;
    s.sat_tok_s = x.throughput_output_tok_s;
    s.sat_e2e_p50_ms = x.e2e_s.p50 * 1e3;
    const double tokens = double(spec.saturation_requests) * double(spec.output_len);
    s.bytes_per_token = (x.allreduce_bytes + x.allgather_bytes + x.all2all_bytes + x.p2p_bytes) / tokens;
    s.comm_fraction = x.comm_time_fraction;
    s.bubble = x.bubble_fraction;
    const GpuMemory& g = fullest(sat.memory);
    s.weights_gib = g.weights_bytes / kGiB;
    s.activations_gib = g.activation_bytes / kGiB;
    s.overhead_gib = g.overhead_bytes / kGiB;
    s.kv_gib = g.kv_cache_bytes / kGiB;
    s.capacity_gib = g.capacity_bytes / kGiB;
    s.compute_s = sat.estimate.breakdown.compute_s;
    s.memory_s = sat.estimate.breakdown.memory_s;
    s.comm_s = sat.estimate.breakdown.comm_s;
    s.overhead_s = sat.estimate.breakdown.overhead_s;
  });
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (tasks[i].inflight_per_stage > 0) {
      res.bubbles.push_back(bubbles[i]);
    } else {
      res.splits.push_back(splits[i]);
    }
  }
  res.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace sp::report
