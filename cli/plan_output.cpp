#include "cli/plan_output.h"

#include <map>

#include <fmt/format.h>

#include "cli/output.h"

namespace sp::cli {

using nlohmann::json;

namespace {

Deployment deployment_of(const PlanContext& ctx, const Evaluated& e) {
  Deployment d;
  d.model = ctx.request.model;
  d.cluster = ctx.request.cluster;
  d.parallel = e.c.parallel;
  d.precision = ctx.request.precision;
  d.engine = engine_preset(ctx.engine, d.cluster.system.gpu);
  d.memory.max_num_batched_tokens = e.c.max_num_batched_tokens;
  d.memory.max_num_seqs = e.c.max_num_seqs;
  d.memory.max_model_len = e.memory.max_model_len;
  d.memory.gpu_memory_utilization = memory_options(ctx.request, e.c, e.memory.max_model_len).gpu_memory_utilization;
  return d;
}

json candidate_json(const Candidate& c) {
  return {{"tp", c.parallel.tp},
          {"pp", c.parallel.pp},
          {"dp", c.parallel.dp},
          {"ep", c.parallel.ep},
          {"gpus", c.parallel.gpus()},
          {"max_num_seqs", c.max_num_seqs},
          {"max_num_batched_tokens", c.max_num_batched_tokens},
          {"microbatches", c.microbatches}};
}

std::string short_label(const Candidate& c) {
  const auto& p = c.parallel;
  std::string s = fmt::format("tp{} pp{} dp{}", p.tp, p.pp, p.dp);
  if (p.ep > 1) s += fmt::format(" ep{}", p.ep);
  s += fmt::format(" seqs{} tok{}", c.max_num_seqs, c.max_num_batched_tokens);
  if (p.pp > 1) s += fmt::format(" mb{}", c.microbatches);
  return s;
}

}  // namespace

PlanFile plan_file_of(const PlanContext& ctx, const PlanResult& r, const Evaluated& e) {
  PlanFile p;
  p.model = ctx.model_arg;
  p.hardware = ctx.hardware_arg;
  p.nodes = ctx.request.cluster.nodes;
  p.engine = std::string(engine_name(ctx.engine));
  p.dtype = ctx.dtype;
  p.kv_dtype = ctx.kv_dtype;
  p.parallel = e.c.parallel;
  p.placement = placement_make(e.c.parallel, ctx.request.cluster.system.gpus_per_node);
  p.batch.max_num_seqs = e.c.max_num_seqs;
  p.batch.max_num_batched_tokens = e.c.max_num_batched_tokens;
  p.batch.microbatches = e.c.microbatches;
  p.batch.gpu_memory_utilization = memory_options(ctx.request, e.c, e.memory.max_model_len).gpu_memory_utilization;
  p.batch.max_model_len = r.max_model_len;
  p.batch.kv_cache_free_fraction =
      free_memory_fraction(e.memory, ctx.request.cluster.system.gpu.memory_gib, p.batch.gpu_memory_utilization);
  p.workload = plan_workload(ctx.workload);
  return p;
}

json evaluated_json(const PlanContext& ctx, const PlanResult& r, const Evaluated& e) {
  const Deployment d = deployment_of(ctx, e);
  SchedulerConfig sc;
  sc.max_num_seqs = e.c.max_num_seqs;
  sc.max_num_batched_tokens = e.c.max_num_batched_tokens;
  sc.microbatches = e.c.microbatches;
  const SimulateInfo info{.scheduler = "continuous", .scheduler_config = sc, .requests = e.requests,
                          .seed = ctx.workload.seed, .wall_s = 0};
  json j = simulate_json(d, info, e.memory, e.sim);
  j["simulator"].erase("wall_s");  // the search's wall time is reported once, under "search"
  j["config"]["max_model_len"] = e.memory.max_model_len;
  j["metrics"]["goodput_rps"] = round6(e.sim.metrics.goodput_rps);
  j["metrics"]["within_slo"] = e.sim.metrics.within_slo;
  const auto ms = [](double s) { return round6(s * 1e3); };
  json misses = json::array();
  for (const auto& m : e.slo_misses) misses.push_back(m);
  j["planner"] = {
      {"objective", std::string(objective_name(ctx.request.objective))},
      {"score", round6(e.score)},
      {"throughput_per_gpu_tok_s", round6(e.throughput_per_gpu)},
      {"usd_per_million_output_tokens", round6(e.usd_per_mtok)},
      {"meets_slo", e.meets_slo},
      {"slo_misses", misses},
      {"cross_node_tp", e.cross_node_tp},
      {"estimate", {{"batch", e.estimate_batch},
                    {"ttft_ms", ms(e.estimate.ttft_s)},
                    {"tpot_ms", ms(e.estimate.tpot_s)},
                    {"e2e_ms", ms(e.estimate.e2e_s)},
                    {"score", round6(e.estimate_score)},
                    {"breakdown_ms", {{"compute", ms(e.estimate.breakdown.compute_s)},
                                      {"memory", ms(e.estimate.breakdown.memory_s)},
                                      {"communication", ms(e.estimate.breakdown.comm_s)},
                                      {"overhead", ms(e.estimate.breakdown.overhead_s)}}}}},
  };
  const PlanFile pf = plan_file_of(ctx, r, e);
  j["launch"] = {{"vllm", launch_command(Engine::vllm, pf)},
                 {"sglang", launch_command(Engine::sglang, pf)},
                 {"trtllm", launch_command(Engine::trtllm, pf)}};
  return j;
}

json plan_result_json(const PlanContext& ctx, const PlanResult& r) {
  json ranked = json::array();
  for (size_t i = 0; i < r.ranked.size() && int(i) < ctx.top; ++i) ranked.push_back(evaluated_json(ctx, r, r.ranked[i]));
  json pareto = json::array();
  for (size_t i : r.pareto) {
    const auto& e = r.ranked[i];
    pareto.push_back({{"config", candidate_json(e.c)},
                      {"throughput_per_gpu_tok_s", round6(e.throughput_per_gpu)},
                      {"e2e_p99_ms", round6(e.sim.metrics.e2e_s.p99 * 1e3)},
                      {"meets_slo", e.meets_slo}});
  }
  json rejected = json::array();
  for (const auto& x : r.rejected) {
    json c = candidate_json(x.c);
    rejected.push_back({{"config", c}, {"kind", x.kind}, {"reason", x.reason}});
    if (x.kind == "memory") rejected.back()["missing_gib"] = round6(x.missing_gib);
  }
  const auto& q = ctx.request;
  json search = {{"candidates", r.candidates},
                 {"feasible", r.feasible},
                 {"simulated", r.simulated},
                 {"objective", std::string(objective_name(q.objective))},
                 {"slo", slo_format(q.slo)},
                 {"gpu_hour_usd", q.gpu_hour_usd},
                 {"gpu_hour_usd_source", ctx.price_source},
                 {"max_model_len", r.max_model_len},
                 {"max_num_seqs_grid", q.max_num_seqs_grid},
                 {"max_num_batched_tokens_grid", q.max_num_batched_tokens_grid},
                 {"wall_s", round6(r.wall_s)}};
  return {{"recommended", r.recommended ? evaluated_json(ctx, r, r.ranked[*r.recommended]) : json(nullptr)},
          {"ranked", ranked},
          {"pareto", pareto},
          {"rejected", rejected},
          {"search", search}};
}

std::string plan_failure_reason(const PlanResult& r) {
  if (r.recommended) return "";
  if (r.ranked.empty()) {
    const Rejected* closest = nullptr;
    for (const auto& x : r.rejected) {
      if (x.kind == "memory" && (!closest || x.missing_gib < closest->missing_gib)) closest = &x;
    }
    if (closest) {
      return fmt::format("no configuration fits: the closest, {}, lacks {:.1f} GiB on the GPU short of the most for weights, "
                         "activations, overhead and one request of {} tokens; add GPUs (--nodes), use --dtype fp8 or "
                         "--kv-dtype fp8, or lower --max-model-len", short_label(closest->c), closest->missing_gib,
                         r.max_model_len);
    }
    return fmt::format("no configuration is valid ({} rejected; see the rejected list)", r.rejected.size());
  }
  const auto& e = r.ranked.front();
  std::string misses;
  for (const auto& m : e.slo_misses) misses += (misses.empty() ? "" : "; ") + m;
  return fmt::format("no plan meets the SLOs; the closest, {}, misses: {}", short_label(e.c), misses);
}

std::string plan_table(const PlanContext& ctx, const PlanResult& r) {
  const auto& q = ctx.request;
  std::string s = fmt::format("{} on {} x {} ({} GPUs), engine {}, objective {}{}\n", q.model.name, q.cluster.nodes,
                              q.cluster.system.name, q.gpus > 0 ? q.gpus : q.cluster.total_gpus(),
                              engine_name(ctx.engine), objective_name(q.objective),
                              q.slo.any() ? ", SLO " + slo_format(q.slo) : "");
  auto metrics_line = [&](const Evaluated& e) {
    const auto& m = e.sim.metrics;
    std::string t = fmt::format("{:.1f} tok/s/GPU, TTFT p99 {:.1f} ms, TPOT p99 {:.2f} ms, e2e p99 {:.0f} ms, goodput {:.2f} req/s",
                                e.throughput_per_gpu, m.ttft_s.p99 * 1e3, m.tpot_s.p99 * 1e3, m.e2e_s.p99 * 1e3,
                                m.goodput_rps);
    if (e.usd_per_mtok > 0) t += fmt::format(", ${:.3f}/M tok", e.usd_per_mtok);
    return t;
  };
  if (r.recommended) {
    const Evaluated& e = r.ranked[*r.recommended];
    const auto& g = e.memory.per_gpu.front();
    s += fmt::format("\nRecommended: {} ({} GPU{}{})\n", short_label(e.c), e.c.parallel.gpus(),
                     e.c.parallel.gpus() == 1 ? "" : "s", e.cross_node_tp ? ", TP crosses nodes" : "");
    s += "  " + metrics_line(e) + "\n";
    s += fmt::format("  memory per GPU: weights {:.1f} GiB, KV cache {:.1f} GiB ({} tokens per replica), PP bubble {:.1f}%\n",
                     g.weights_bytes / kGiB, g.kv_cache_bytes / kGiB, e.memory.kv_capacity_tokens,
                     100 * e.sim.metrics.bubble_fraction);
    const PlanFile pf = plan_file_of(ctx, r, e);
    for (Engine en : {Engine::vllm, Engine::sglang, Engine::trtllm}) s += "  " + launch_command(en, pf) + "\n";
  } else {
    s += "\nNo recommendation: " + plan_failure_reason(r) + "\n";
  }
  if (!r.ranked.empty()) {
    s += fmt::format("\nSimulated candidates, best first ({} requests each):\n", r.ranked.front().requests);
    s += fmt::format("  {:<3} {:<36} {:>10} {:>10} {:>9} {:>10} {:>8} {:>7}  {}\n", "#", "config", "tok/s/GPU",
                     "TTFT p99", "TPOT p99", "e2e p99", "goodput", "bubble", "SLO");
    for (size_t i = 0; i < r.ranked.size() && int(i) < ctx.top; ++i) {
      const auto& e = r.ranked[i];
      const auto& m = e.sim.metrics;
      s += fmt::format("  {:<3} {:<36} {:>10.1f} {:>7.1f} ms {:>6.2f} ms {:>7.0f} ms {:>8.2f} {:>6.1f}%  {}\n", i + 1,
                       short_label(e.c) + (e.cross_node_tp ? " (x-node TP)" : ""), e.throughput_per_gpu,
                       m.ttft_s.p99 * 1e3, m.tpot_s.p99 * 1e3, m.e2e_s.p99 * 1e3, m.goodput_rps,
                       100 * m.bubble_fraction, e.meets_slo ? "met" : e.slo_misses.front());
    }
  }
  if (!r.rejected.empty()) {
    std::map<std::string, std::vector<const Rejected*>> groups;
    for (const auto& x : r.rejected) groups[x.kind].push_back(&x);
    s += fmt::format("\nRejected ({} split{}):\n", r.rejected.size(), r.rejected.size() == 1 ? "" : "s");
    for (const auto& [kind, list] : groups) {
      std::string splits;
      for (const auto* x : list) {
        splits += (splits.empty() ? "" : ", ") + fmt::format("tp{}/pp{}/dp{}", x->c.parallel.tp, x->c.parallel.pp, x->c.parallel.dp);
        if (x->c.parallel.ep > 1) splits += fmt::format("/ep{}", x->c.parallel.ep);
        if (kind == "memory") splits += fmt::format(" (-{:.1f} GiB)", x->missing_gib);
      }
      s += fmt::format("  {} ({}): {}\n    e.g. {}\n", kind, list.size(), splits, list.front()->reason);
    }
  }
  s += fmt::format("\nSearch: {} candidates, {} feasible, {} simulated, {:.2f} s\n", r.candidates, r.feasible,
                   r.simulated, r.wall_s);
  return s;
}

}  // namespace sp::cli
