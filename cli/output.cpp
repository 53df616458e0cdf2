#include "cli/output.h"

#include <cmath>

#include <fmt/format.h>

namespace sp::cli {

using nlohmann::json;

double round6(double x) {
  if (x == 0 || !std::isfinite(x)) return x;
  const double scale = std::pow(10.0, 5 - int(std::floor(std::log10(std::fabs(x)))));
  return std::round(x * scale) / scale;
}

json config_json(const Deployment& d) {
  const auto& p = d.parallel;
  return json{{"model", d.model.name},
              {"hardware", d.cluster.system.name},
              {"nodes", d.cluster.nodes},
              {"tp", p.tp},
              {"pp", p.pp},
              {"dp", p.dp},
              {"ep", p.ep},
              {"gpus", p.gpus()},
              {"dtype", dtype_name(d.precision.weights)},
              {"kv_dtype", dtype_name(d.precision.kv)},
              {"engine", engine_name(d.engine.engine)},
              {"max_num_seqs", d.memory.max_num_seqs},
              {"max_num_batched_tokens", d.memory.max_num_batched_tokens}};
}

json memory_json(const Deployment& d, const MemoryReport& r) {
  json per = json::array();
  for (const auto& g : r.per_gpu) {
    per.push_back({{"rank", g.rank},
                   {"stage", g.stage},
                   {"weights_gib", round6(g.weights_bytes / kGiB)},
                   {"activation_gib", round6(g.activation_bytes / kGiB)},
                   {"overhead_gib", round6(g.overhead_bytes / kGiB)},
                   {"kv_cache_gib", round6(g.kv_cache_bytes / kGiB)},
                   {"kv_capacity_tokens", g.kv_capacity_tokens},
                   {"total_gib", round6(g.total_bytes() / kGiB)},
                   {"capacity_gib", round6(g.capacity_bytes / kGiB)}});
  }
  json cfg = config_json(d);
  cfg["max_model_len"] = r.max_model_len;
  cfg["gpu_memory_utilization"] = d.memory.gpu_memory_utilization;
  return json{{"config", cfg},
              {"per_gpu", per},
              {"kv_capacity_tokens", r.kv_capacity_tokens},
              {"fits", r.fits},
              {"reason", r.reason}};
}

json estimate_json(const Deployment& d, const Estimate& e, const MemoryReport& r) {
  auto ms = [](double s) { return round6(s * 1e3); };
  return json{{"config", config_json(d)},
              {"prefill_ms", ms(e.prefill_s)},
              {"decode_step_ms", ms(e.decode_step_s)},
              {"ttft_ms", ms(e.ttft_s)},
              {"tpot_ms", ms(e.tpot_s)},
              {"e2e_ms", ms(e.e2e_s)},
              {"throughput_output_tok_s", round6(e.throughput_output_tok_s)},
              {"breakdown",
               {{"compute_ms", ms(e.breakdown.compute_s)},
                {"memory_ms", ms(e.breakdown.memory_s)},
                {"communication_ms", ms(e.breakdown.comm_s)},
                {"engine_overhead_ms", ms(e.breakdown.overhead_s)}}},
              {"fits", r.fits},
              {"reason", r.reason}};
}

namespace {

std::string header(const Deployment& d) {
  const auto& p = d.parallel;
  return fmt::format("{} on {} x {} ({} GPUs): tp={} pp={} dp={} ep={}, weights {}, KV {}, engine {}\n", d.model.name,
                     d.cluster.nodes, d.cluster.system.name, p.gpus(), p.tp, p.pp, p.dp, p.ep,
                     dtype_name(d.precision.weights), dtype_name(d.precision.kv), engine_name(d.engine.engine));
}

}  // namespace

std::string memory_table(const Deployment& d, const MemoryReport& r) {
  std::string s = header(d);
  s += fmt::format("{:>5} {:>5} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>12}\n", "rank", "stage", "weights",
                   "activation", "overhead", "kv cache", "total", "capacity", "kv tokens");
  // Ranks of one stage are identical: one row per stage, naming its first rank.
  for (const auto& g : r.per_gpu) {
    if (g.rank % d.parallel.tp != 0) continue;
    s += fmt::format("{:>5} {:>5} {:>7.2f} GiB {:>7.2f} GiB {:>7.2f} GiB {:>7.2f} GiB {:>7.2f} GiB {:>7.2f} GiB {:>12}\n",
                     d.parallel.tp > 1 ? fmt::format("{}-{}", g.rank, g.rank + d.parallel.tp - 1) : std::to_string(g.rank),
                     g.stage, g.weights_bytes / kGiB, g.activation_bytes / kGiB, g.overhead_bytes / kGiB,
                     g.kv_cache_bytes / kGiB, g.total_bytes() / kGiB, g.capacity_bytes / kGiB, g.kv_capacity_tokens);
  }
  if (r.fits) {
    s += fmt::format("fits: KV cache holds {} tokens per replica (max-model-len {})\n", r.kv_capacity_tokens,
                     r.max_model_len);
  } else {
    s += fmt::format("does not fit: {}\n", r.reason);
  }
  return s;
}

std::string estimate_table(const Deployment& d, const Estimate& e, const MemoryReport& r) {
  std::string s = header(d);
  auto row = [&](std::string_view k, double v, std::string_view unit) {
    s += fmt::format("  {:<26} {:>12.3f} {}\n", k, v, unit);
  };
  row("prefill (TTFT)", e.ttft_s * 1e3, "ms");
  row("decode step (TPOT)", e.tpot_s * 1e3, "ms");
  row("end to end", e.e2e_s * 1e3, "ms");
  row("output throughput", e.throughput_output_tok_s, "tok/s");
  const double total = e.breakdown.total_s();
  s += "  time of one request:\n";
  for (auto [k, v] : {std::pair{"compute-bound", e.breakdown.compute_s}, {"memory-bound", e.breakdown.memory_s},
                      {"communication", e.breakdown.comm_s}, {"engine overhead", e.breakdown.overhead_s}}) {
    if (v == 0 && std::string_view(k) == "engine overhead") continue;
    s += fmt::format("    {:<24} {:>12.3f} ms  {:>5.1f}%\n", k, v * 1e3, total > 0 ? 100 * v / total : 0);
  }
  if (!r.fits) s += fmt::format("does not fit: {}\n", r.reason);
  return s;
}

namespace {

json summary_ms(const Summary& s) {
  return {{"mean", round6(s.mean * 1e3)}, {"p50", round6(s.p50 * 1e3)}, {"p90", round6(s.p90 * 1e3)},
          {"p99", round6(s.p99 * 1e3)}, {"count", s.count}};
}

}  // namespace

json simulate_json(const Deployment& d, const SimulateInfo& info, const MemoryReport& mem, const SimResult& res) {
  const auto& m = res.metrics;
  const GpuMemory& g0 = mem.per_gpu.front();
  json rejected = json::array();
  for (const auto& r : res.rejected) rejected.push_back({{"request", r.request}, {"reason", r.reason}});
  json cfg_json = config_json(d);
  cfg_json["scheduler"] = info.scheduler;
  cfg_json["max_num_seqs"] = info.scheduler_config.max_num_seqs;
  cfg_json["max_num_batched_tokens"] = info.scheduler_config.max_num_batched_tokens;
  cfg_json["microbatches"] = info.scheduler_config.microbatches > 0 ? info.scheduler_config.microbatches : d.parallel.pp;
  cfg_json["requests"] = info.requests;
  cfg_json["seed"] = info.seed;
  return {
      {"config", cfg_json},
      {"metrics",
       {{"ttft_ms", summary_ms(m.ttft_s)},
        {"tpot_ms", summary_ms(m.tpot_s)},
        {"itl_ms", summary_ms(m.itl_s)},
        {"e2e_ms", summary_ms(m.e2e_s)},
        {"throughput_output_tok_s", round6(m.throughput_output_tok_s)},
        {"throughput_total_tok_s", round6(m.throughput_total_tok_s)},
        {"requests_per_s", round6(m.requests_per_s)},
        {"makespan_s", round6(m.makespan_s)},
        {"gpu_busy_fraction", round6(m.gpu_busy_fraction)},
        {"bubble_fraction", round6(m.bubble_fraction)},
        {"preemptions", m.preemptions},
        {"peak_kv_fraction", round6(m.peak_kv_fraction)},
        {"finished", m.finished},
        {"rejected", int64_t(res.rejected.size())}}},
      {"memory_per_gpu_gib",
       {{"weights", round6(g0.weights_bytes / kGiB)},
        {"kv_cache", round6(g0.kv_cache_bytes / kGiB)},
        {"activations", round6(g0.activation_bytes / kGiB)},
        {"overhead", round6(g0.overhead_bytes / kGiB)},
        {"total", round6(g0.total_bytes() / kGiB)},
        {"capacity", round6(g0.capacity_bytes / kGiB)}}},
      {"communication",
       {{"allreduce_bytes", round6(m.allreduce_bytes)},
        {"allgather_bytes", round6(m.allgather_bytes)},
        {"p2p_bytes", round6(m.p2p_bytes)},
        {"all2all_bytes", round6(m.all2all_bytes)},
        {"time_fraction", round6(m.comm_time_fraction)}}},
      {"rejected", rejected},
      {"simulator",
       {{"events", res.events}, {"iterations", m.iterations}, {"steps", res.steps}, {"wall_s", round6(info.wall_s)}}}};
}

std::string simulate_table(const Deployment& d, const json& j) {
  std::string s = header(d);
  const auto& m = j["metrics"];
  const auto& c = j["config"];
  s += fmt::format("  {} requests, scheduler {}, {} batch(es) in flight per replica\n", c["requests"].get<int64_t>(),
                   c["scheduler"].get<std::string>(), c["microbatches"].get<int>());
  s += fmt::format("  {:<10} {:>10} {:>10} {:>10} {:>10}\n", "ms", "mean", "p50", "p90", "p99");
  for (auto key : {"ttft_ms", "tpot_ms", "itl_ms", "e2e_ms"}) {
    const auto& x = m[key];
    const std::string name = std::string(key).substr(0, std::string(key).size() - 3);
    if (x.value("count", int64_t(1)) == 0) {  // no samples (one-token outputs have no TPOT): say so, not 0.00
      s += fmt::format("  {:<10} {:>10} {:>10} {:>10} {:>10}\n", name, "-", "-", "-", "-");
      continue;
    }
    s += fmt::format("  {:<10} {:>10.2f} {:>10.2f} {:>10.2f} {:>10.2f}\n", name, x["mean"].get<double>(),
                     x["p50"].get<double>(), x["p90"].get<double>(), x["p99"].get<double>());
  }
  s += fmt::format("  output {:.1f} tok/s, total {:.1f} tok/s, {:.3f} req/s over {:.3f} s\n",
                   m["throughput_output_tok_s"].get<double>(), m["throughput_total_tok_s"].get<double>(),
                   m["requests_per_s"].get<double>(), m["makespan_s"].get<double>());
  s += fmt::format("  GPU busy {:.1f}%, PP bubble {:.1f}%, communication {:.1f}% of busy time, peak KV {:.1f}%, {} preemptions\n",
                   100 * m["gpu_busy_fraction"].get<double>(), 100 * m["bubble_fraction"].get<double>(),
                   100 * j["communication"]["time_fraction"].get<double>(), 100 * m["peak_kv_fraction"].get<double>(),
                   m["preemptions"].get<int64_t>());
  s += fmt::format("  {} finished, {} rejected; {} events in {:.3f} s\n", m["finished"].get<int64_t>(),
                   m["rejected"].get<int64_t>(), j["simulator"]["events"].get<uint64_t>(),
                   j["simulator"]["wall_s"].get<double>());
  return s;
}

json collective_json(const std::string& hardware, int nodes, Collective op, const GroupLinks& l,
                     const std::vector<CollectivePoint>& pts) {
  json points = json::array();
  for (const auto& p : pts) {
    const double algbw = p.time_s > 0 ? p.bytes / p.time_s / 1e9 : 0;
    points.push_back({{"bytes", int64_t(p.bytes)},
                      {"time_us", round6(p.time_s * 1e6)},
                      {"algbw_gb_s", round6(algbw)},
                      {"busbw_gb_s", round6(algbw * bus_bandwidth_factor(op, l.ranks))}});
  }
  return json{{"op", collective_name(op)},
              {"ranks", l.ranks},
              {"hardware", hardware},
              {"nodes", nodes},
              {"nodes_spanned", l.nodes},
              {"points", points}};
}

std::string collective_table(const std::string& hardware, int nodes, Collective op, const GroupLinks& l,
                             const std::vector<CollectivePoint>& pts) {
  std::string s = fmt::format("{} over {} ranks on {} x {} ({} node(s) spanned; modelled, nccl-tests conventions)\n",
                              collective_name(op), l.ranks, nodes, hardware, l.nodes);
  s += fmt::format("{:>14} {:>12} {:>12} {:>12}\n", "bytes", "time (us)", "algbw GB/s", "busbw GB/s");
  for (const auto& p : pts) {
    const double algbw = p.time_s > 0 ? p.bytes / p.time_s / 1e9 : 0;
    s += fmt::format("{:>14} {:>12.2f} {:>12.2f} {:>12.2f}\n", int64_t(p.bytes), p.time_s * 1e6, algbw,
                     algbw * bus_bandwidth_factor(op, l.ranks));
  }
  return s;
}

}  // namespace sp::cli
