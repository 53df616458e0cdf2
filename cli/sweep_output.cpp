#include "cli/sweep_output.h"

#include <set>

#include <fmt/format.h>

#include "cli/output.h"
#include "sim/common/error.h"

namespace sp::cli {

using nlohmann::json;

RobustResult robust_choice(const SweepRun& run, int threads) {
  std::vector<PlanRequest> reqs;
  std::vector<PlanResult> results;
  for (const auto& r : run.rows) {
    reqs.push_back(r.ctx.request);
    results.push_back(r.result);
  }
  return robust_choose(reqs, results, threads);
}

namespace {

json summary_of(const Evaluated& e) {
  const auto& m = e.sim.metrics;
  const auto& p = e.c.parallel;
  return {{"config", fmt::format("tp{} pp{} dp{} ep{}", p.tp, p.pp, p.dp, p.ep)},
          {"tp", p.tp},
          {"pp", p.pp},
          {"dp", p.dp},
          {"ep", p.ep},
          {"gpus", p.gpus()},
          {"max_num_seqs", e.c.max_num_seqs},
          {"max_num_batched_tokens", e.c.max_num_batched_tokens},
          {"microbatches", e.c.microbatches},
          {"throughput_per_gpu_tok_s", round6(e.throughput_per_gpu)},
          {"throughput_output_tok_s", round6(m.throughput_output_tok_s)},
          {"ttft_p99_ms", round6(m.ttft_s.p99 * 1e3)},
          {"tpot_p99_ms", round6(m.tpot_s.p99 * 1e3)},
          {"e2e_p99_ms", round6(m.e2e_s.p99 * 1e3)},
          {"goodput_rps", round6(m.goodput_rps)},
          {"usd_per_million_output_tokens", round6(e.usd_per_mtok)},
          {"meets_slo", e.meets_slo}};
}

}  // namespace

json sweep_json(const SweepRun& run) {
  json rows = json::array();
  for (const auto& r : run.rows) {
    json row = {{"index", r.index}, {"name", r.name}, {"settings", r.settings}};
    if (r.result.recommended) {
      const Evaluated& e = r.result.ranked[*r.result.recommended];
      row["best"] = summary_of(e);
      row["recommended"] = evaluated_json(r.ctx, r.result, e);
      row["reason"] = "";
    } else {
      row["best"] = nullptr;
      row["recommended"] = nullptr;
      row["reason"] = plan_failure_reason(r.result);
    }
    row["search"] = {{"candidates", r.result.candidates}, {"feasible", r.result.feasible},
                     {"simulated", r.result.simulated}};
    rows.push_back(std::move(row));
  }
  json doc = {{"sweep", {{"name", run.name},
                         {"digest", run.digest},
                         {"rows", run.total_rows},
                         {"shard", {{"index", run.shard_index}, {"count", run.shard_count}}},
                         {"wall_s", round6(run.wall_s)}}},
              {"rows", rows}};
  if (run.robust_asked) {
    const auto& rb = run.robust;
    json per = json::array();
    for (size_t i = 0; i < rb.per_row.size(); ++i) {
      const auto& e = rb.per_row[i];
      json misses = json::array();
      for (const auto& m : e.slo_misses) misses.push_back(m);
      per.push_back({{"row", run.rows[i].name},
                     {"meets_slo", e.meets_slo},
                     {"slo_worst_ratio", round6(e.slo_worst_ratio)},
                     {"relative_to_best", round6(rb.relative[i])},
                     {"slo_misses", misses},
                     {"metrics", e.simulated ? summary_of(e) : json(nullptr)}});
    }
    const std::optional<size_t> pick = rb.chosen;
    doc["robust"] = {{"chosen", pick ? json(candidate_label(rb.candidates[*pick])) : json(nullptr)},
                     {"candidates_checked", rb.candidates.size()},
                     {"worst_relative_to_best", round6(rb.worst_relative)},
                     {"per_row", per},
                     {"reason", rb.reason}};
  }
  return doc;
}

json sweep_merge(const std::vector<json>& parts, const std::vector<std::string>& paths) {
  json merged;
  std::set<int64_t> seen;
  std::set<int> shards;
  json rows = json::array();
  int count = 0;
  double wall = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const json& p = parts[i];
    const bool ok = p.is_object() && p.contains("sweep") && p["sweep"].is_object() && p.contains("rows") &&
                    p["rows"].is_array() && p["sweep"].contains("digest") && p["sweep"].contains("shard") &&
                    p["sweep"]["shard"].is_object() && p["sweep"]["shard"].contains("count") &&
                    p["sweep"]["shard"]["count"].is_number_integer() && p["sweep"]["shard"].contains("index") &&
                    p["sweep"]["shard"]["index"].is_number_integer() && p["sweep"].contains("rows");
    if (!ok) throw InputError(fmt::format("--merge: {}: not the JSON output of 'shardplan sweep --format json'", paths[i]));
    const json& s = p["sweep"];
    if (i == 0) {
      merged["sweep"] = s;
      count = s["shard"]["count"].get<int>();
    } else if (s["digest"] != merged["sweep"]["digest"] || s["rows"] != merged["sweep"]["rows"]) {
      throw InputError(fmt::format("--merge: {} is a slice of a different sweep than {} (digest {} vs {})", paths[i],
                                   paths[0], s["digest"].dump(), merged["sweep"]["digest"].dump()));
    } else if (s["shard"]["count"].get<int>() != count) {
      throw InputError(fmt::format("--merge: {} was cut into {} slices, {} into {}", paths[i],
                                   s["shard"]["count"].get<int>(), paths[0], count));
    }
    if (!shards.insert(s["shard"]["index"].get<int>()).second) {
      throw InputError(fmt::format("--merge: slice {} is given twice ({})", s["shard"]["index"].get<int>(), paths[i]));
    }
    if (s.contains("wall_s") && s["wall_s"].is_number()) wall += s["wall_s"].get<double>();
    for (const auto& r : p["rows"]) {
      if (!r.is_object() || !r.contains("index") || !r["index"].is_number_integer()) {
        throw InputError(fmt::format("--merge: {}: a row without an index", paths[i]));
      }
      if (!seen.insert(r["index"].get<int64_t>()).second) {
        throw InputError(fmt::format("--merge: row {} appears twice ({})", r["index"].get<int64_t>(), paths[i]));
      }
      rows.push_back(r);
    }
  }
  const int64_t total = merged["sweep"]["rows"].get<int64_t>();
  if (int64_t(seen.size()) != total) {
    std::vector<int> missing;
    for (int k = 0; k < count && missing.size() < 10; ++k) {
      if (!shards.count(k)) missing.push_back(k);
    }
    if (missing.empty()) {
      throw InputError(fmt::format("--merge: {} of the sweep's {} rows are present although every slice is given; "
                                   "a slice file is incomplete",
                                   seen.size(), total));
    }
    const size_t n_missing = size_t(count) - shards.size();
    throw InputError(fmt::format("--merge: {} of the sweep's {} rows are present; missing slice(s) {}{} of {} (run "
                                 "them with --shard I/{})",
                                 seen.size(), total, fmt::join(missing, ", "),
                                 n_missing > missing.size() ? fmt::format(" and {} more", n_missing - missing.size()) : "",
                                 count, count));
  }
  std::sort(rows.begin(), rows.end(), [](const json& a, const json& b) { return a["index"] < b["index"]; });
  merged["sweep"]["shard"] = {{"index", 0}, {"count", 1}};
  merged["sweep"]["wall_s"] = round6(wall);
  merged["sweep"]["merged_from"] = parts.size();
  merged["rows"] = rows;
  return merged;
}

std::string sweep_failure(const json& doc) {
  int64_t missing = 0;
  std::string first;
  for (const auto& r : doc["rows"]) {
    if (r["best"].is_null()) {
      if (missing++ == 0) first = fmt::format("{}: {}", r["name"].get<std::string>(), r["reason"].get<std::string>());
    }
  }
  std::string s;
  if (missing > 0) s = fmt::format("{} of {} rows have no plan (first: {})", missing, doc["rows"].size(), first);
  if (doc.contains("robust") && doc["robust"]["chosen"].is_null()) {
    s += (s.empty() ? "" : "; ") + std::string("--robust: ") + doc["robust"]["reason"].get<std::string>();
  }
  return s;
}

std::string sweep_table(const json& doc) {
  const auto& sw = doc["sweep"];
  std::string s = fmt::format("sweep {} ({} rows{})\n", sw["name"].get<std::string>(), sw["rows"].get<int64_t>(),
                              sw["shard"]["count"].get<int>() > 1
                                  ? fmt::format(", slice {} of {}", sw["shard"]["index"].get<int>(), sw["shard"]["count"].get<int>())
                                  : "");
  size_t w = 8;
  for (const auto& r : doc["rows"]) w = std::max(w, r["name"].get<std::string>().size());
  w = std::min<size_t>(w, 48);
  s += fmt::format("  {:<{}} {:<18} {:>5} {:>10} {:>10} {:>9} {:>9} {:>9}  {}\n", "row", w, "best plan", "GPUs",
                   "tok/s/GPU", "TTFT p99", "TPOT p99", "e2e p99", "$/M tok", "SLO");
  for (const auto& r : doc["rows"]) {
    const std::string name = r["name"].get<std::string>().substr(0, w);
    if (r["best"].is_null()) {
      s += fmt::format("  {:<{}} {}\n", name, w, "no plan: " + r["reason"].get<std::string>());
      continue;
    }
    const auto& b = r["best"];
    s += fmt::format("  {:<{}} {:<18} {:>5} {:>10.1f} {:>7.0f} ms {:>6.1f} ms {:>6.2f} s {:>9.3f}  {}\n", name, w,
                     b["config"].get<std::string>(), b["gpus"].get<int>(), b["throughput_per_gpu_tok_s"].get<double>(),
                     b["ttft_p99_ms"].get<double>(), b["tpot_p99_ms"].get<double>(), b["e2e_p99_ms"].get<double>() / 1e3,
                     b["usd_per_million_output_tokens"].get<double>(), b["meets_slo"].get<bool>() ? "met" : "missed");
  }
  if (doc.contains("robust")) {
    const auto& rb = doc["robust"];
    if (rb["chosen"].is_null()) {
      s += "\nRobust: " + rb["reason"].get<std::string>() + "\n";
    } else {
      s += fmt::format("\nRobust: {} meets the SLOs in every row ({} configurations checked); worst row at {:.0f}% of "
                       "its own best plan\n", rb["chosen"].get<std::string>(), rb["candidates_checked"].get<int64_t>(),
                       100 * rb["worst_relative_to_best"].get<double>());
    }
    for (const auto& p : rb["per_row"]) {
      s += fmt::format("  {:<{}} {:>4.0f}% of best, tightest SLO at {:.0f}% of its limit{}\n",
                       p["row"].get<std::string>().substr(0, w), w, 100 * p["relative_to_best"].get<double>(),
                       100 * p["slo_worst_ratio"].get<double>(), p["meets_slo"].get<bool>() ? "" : " (missed)");
    }
  }
  return s;
}

std::string sweep_csv(const json& doc) {
  std::string s = "index,row,config,gpus,max_num_seqs,max_num_batched_tokens,throughput_per_gpu_tok_s,"
                  "throughput_output_tok_s,ttft_p99_ms,tpot_p99_ms,e2e_p99_ms,goodput_rps,usd_per_million_output_tokens,"
                  "meets_slo,reason\n";
  auto quote = [](const std::string& x) {
    std::string q = "\"";
    for (char c : x) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  for (const auto& r : doc["rows"]) {
    s += fmt::format("{},{}", r["index"].get<int64_t>(), quote(r["name"].get<std::string>()));
    if (r["best"].is_null()) {
      s += ",,,,,,,,,,,," + quote(r["reason"].get<std::string>()) + "\n";
      continue;
    }
    const auto& b = r["best"];
    s += fmt::format(",{},{},{},{},{},{},{},{},{},{},{},{},\n", quote(b["config"].get<std::string>()), b["gpus"].get<int>(),
                     b["max_num_seqs"].get<int64_t>(), b["max_num_batched_tokens"].get<int64_t>(),
                     b["throughput_per_gpu_tok_s"].get<double>(), b["throughput_output_tok_s"].get<double>(),
                     b["ttft_p99_ms"].get<double>(), b["tpot_p99_ms"].get<double>(), b["e2e_p99_ms"].get<double>(),
                     b["goodput_rps"].get<double>(), b["usd_per_million_output_tokens"].get<double>(),
                     b["meets_slo"].get<bool>() ? "true" : "false");
  }
  return s;
}

}  // namespace sp::cli
