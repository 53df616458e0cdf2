#include "report/json_reports.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "report/plots.h"
#include "sim/common/error.h"
#include "sim/common/json_reader.h"

namespace sp::report {

namespace {

using nlohmann::json;

// The JSON pointer of `target` inside `root`, found by address: every value a report reads is a
// reference into the document, so an error can name its full path. Only used on the error path.
bool path_of(const json& root, const json* target, std::string& path) {
  if (&root == target) return true;
  if (root.is_object()) {
    for (auto it = root.begin(); it != root.end(); ++it) {
      const size_t n = path.size();
      path += "/" + json_pointer_token(it.key());
      if (path_of(*it, target, path)) return true;
      path.resize(n);
    }
  } else if (root.is_array()) {
    for (size_t i = 0; i < root.size(); ++i) {
      const size_t n = path.size();
      path += "/" + std::to_string(i);
      if (path_of(root[i], target, path)) return true;
      path.resize(n);
    }
  }
  return false;
}

// Reading what we show, with errors that say where.
struct Reader {
  std::string origin;
  const json& root;

  std::string where(const json& j, const std::string& ptr) const {
    std::string base;
    path_of(root, &j, base);
    return origin + ": " + base + ptr;
  }
  const json& at(const json& j, const std::string& ptr) const {
    const json::json_pointer p(ptr);
    if (!j.contains(p)) throw InputError(where(j, ptr) + ": missing; is this a shardplan plan, sweep or validation JSON?");
    return j.at(p);
  }
  double num(const json& j, const std::string& ptr) const {
    const json& v = at(j, ptr);
    if (!v.is_number()) throw InputError(where(j, ptr) + ": expected a number");
    return v.get<double>();
  }
  std::string str(const json& j, const std::string& ptr) const {
    const json& v = at(j, ptr);
    if (!v.is_string()) throw InputError(where(j, ptr) + ": expected a string");
    return v.get<std::string>();
  }
  const json& arr(const json& j, const std::string& ptr) const {
    const json& v = at(j, ptr);
    if (!v.is_array()) throw InputError(where(j, ptr) + ": expected an array");
    return v;
  }
};

std::string f1(double v) { return fmt::format("{:.1f}", v); }
std::string f2(double v) { return fmt::format("{:.2f}", v); }
std::string pct(double v) { return fmt::format("{:.1f}%", 100 * v); }

// A deployment's label in tables and on bars, spelt as `plan` prints it: the split, then the
// scheduler knobs (ep and batches in flight only where they apply).
std::string config_label(const Reader& r, const json& cfg, const std::string& at) {
  const double pp = r.num(cfg, at + "/pp"), ep = r.num(cfg, at + "/ep");
  std::string s = fmt::format("tp{} pp{} dp{}", r.num(cfg, at + "/tp"), pp, r.num(cfg, at + "/dp"));
  if (ep > 1) s += fmt::format(" ep{}", ep);
  s += fmt::format(" seqs{} tok{}", r.num(cfg, at + "/max_num_seqs"), r.num(cfg, at + "/max_num_batched_tokens"));
  if (pp > 1) s += fmt::format(" mb{}", r.num(cfg, at + "/microbatches"));
  return s;
}

MemoryStack memory_of(const Reader& r, const json& c, const std::string& label) {
  return {.label = label,
          .weights = r.num(c, "/memory_per_gpu_gib/weights"),
          .kv_cache = r.num(c, "/memory_per_gpu_gib/kv_cache"),
          .activations = r.num(c, "/memory_per_gpu_gib/activations"),
          .overhead = r.num(c, "/memory_per_gpu_gib/overhead"),
          .capacity = r.num(c, "/memory_per_gpu_gib/capacity")};
}

// The estimate's breakdown is only in documents from shardplan versions that write it.
bool has_breakdown(const json& c) { return c.contains(json::json_pointer("/planner/estimate/breakdown_ms")); }

TimeShares time_of(const Reader& r, const json& c, const std::string& label) {
  const std::string b = "/planner/estimate/breakdown_ms/";
  return time_shares(label, r.num(c, b + "compute"), r.num(c, b + "memory"), r.num(c, b + "communication"),
                     r.num(c, b + "overhead"), r.num(c, "/metrics/bubble_fraction"));
}

// Memory and time plots of a list of candidates; `labels` are their bar labels.
void candidate_plots(Document& d, const Reader& r, const std::vector<const json*>& cands,
                     const std::vector<std::string>& labels, const std::string& what) {
  std::vector<MemoryStack> mem;
  std::vector<TimeShares> time;
  bool breakdown = true;
  for (size_t i = 0; i < cands.size(); ++i) {
    mem.push_back(memory_of(r, *cands[i], labels[i]));
    breakdown = breakdown && has_breakdown(*cands[i]);
    if (breakdown) time.push_back(time_of(r, *cands[i], labels[i]));
  }
  d.heading("Memory per GPU");
  d.text("Weights, activation workspace, runtime overhead and the KV cache budget on the fullest GPU of each " + what +
         ", against the usable capacity (memory x utilisation).");
  d.plot(memory_plot("memory", "Memory on the fullest GPU", mem));
  d.heading("Time per iteration");
  if (!breakdown) {
    d.text("This document has no planner/estimate/breakdown_ms (written by an older shardplan), so the time "
           "breakdown is not drawn.");
    return;
  }
  d.text("Shares of an iteration: compute-bound ops, memory-bound ops, collectives and engine overhead from the "
         "cost model's estimate at the planned batch, scaled to the time the stages were busy; the PP bubble is "
         "the simulated idle share of the pipeline.");
  d.plot(time_plot("time", "Time breakdown per iteration", time));
}

bool same_config(const json& a, const json& b) {
  for (const char* k : {"tp", "pp", "dp", "ep", "max_num_seqs", "max_num_batched_tokens", "microbatches"}) {
    if (!a.contains(k) || !b.contains(k) || a[k] != b[k]) return false;
  }
  return true;
}

std::string deployment_title(const Reader& r, const json& c) {
  // One after the other, so a document missing several keys names the first.
  const std::string model = r.str(c, "/config/model");
  const double nodes = r.num(c, "/config/nodes");
  return fmt::format("{} on {} x {}", model, nodes, r.str(c, "/config/hardware"));
}

}  // namespace

InputKind input_kind(const json& doc, const std::string& origin) {
  if (doc.is_object()) {
    if (doc.contains("ranked") && doc.contains("pareto") && doc.contains("search")) return InputKind::plan_result;
    if (doc.value("kind", "") == "shardplan-plan") return InputKind::plan_file;
    if (doc.contains("sweep") && doc.contains("rows")) return InputKind::sweep;
    if (doc.value("kind", "") == "shardplan-validation") return InputKind::validation;
  }
  throw InputError(fmt::format("{}: not a shardplan document a report is made of; give the output of 'shardplan plan "
                               "--format json', a plan.json, 'shardplan sweep --format json' or a validation.json",
                               origin));
}

Document plan_report(const json& doc, const std::string& origin) {
  const Reader r{origin, doc};
  Document d;
  if (input_kind(doc, origin) == InputKind::plan_file) {
    // A plan.json holds the chosen deployment only: no front, no alternatives.
    const json& c = r.at(doc, "/prediction");
    const std::string label = config_label(r, c, "/config");
    d.title = "Plan: " + deployment_title(r, c);
    d.text(fmt::format("Planned deployment {}: {} output tok/s per GPU, p99 TTFT {} ms, p99 TPOT {} ms, p99 "
                       "end-to-end {} ms (simulated). A plan.json holds one deployment; for the Pareto front of "
                       "the alternatives, report the output of 'shardplan plan ... --format json' or use "
                       "'shardplan plan ... --report DIR'.",
                       label, f1(r.num(c, "/planner/throughput_per_gpu_tok_s")), f1(r.num(c, "/metrics/ttft_ms/p99")),
                       f1(r.num(c, "/metrics/tpot_ms/p99")), f1(r.num(c, "/metrics/e2e_ms/p99"))));
    candidate_plots(d, r, {&c}, {label}, "deployment");
    return d;
  }
  const json& ranked = r.arr(doc, "/ranked");
  const json& pareto = r.arr(doc, "/pareto");
  const bool has_rec = doc.contains("recommended") && !doc["recommended"].is_null();
  d.title = ranked.empty() ? "Plan: nothing simulated" : "Plan: " + deployment_title(r, ranked[0]);

  d.heading("Recommendation");
  if (has_rec) {
    const json& c = doc["recommended"];
    d.text(fmt::format("Recommended: {} on {} GPUs: {} output tok/s per GPU, p99 TTFT {} ms, p99 TPOT {} ms, p99 "
                       "end-to-end {} ms (simulated), SLO ({}) {}.",
                       config_label(r, c, "/config"), r.num(c, "/config/gpus"),
                       f1(r.num(c, "/planner/throughput_per_gpu_tok_s")), f1(r.num(c, "/metrics/ttft_ms/p99")),
                       f1(r.num(c, "/metrics/tpot_ms/p99")), f1(r.num(c, "/metrics/e2e_ms/p99")),
                       doc["search"].value("slo", std::string("none")).empty() ? "none" : doc["search"].value("slo", std::string("none")),
                       c["planner"].value("meets_slo", false) ? "met" : "missed"));
    if (c.contains("launch") && c["launch"].contains("vllm")) d.code(c["launch"]["vllm"].get<std::string>());
  } else {
    d.text("Nothing recommended: no simulated deployment meets every SLO, or nothing fits (see the rejected splits).");
  }
  d.text(fmt::format("Search: {} candidates, {} feasible, {} simulated; objective {}.", r.num(doc, "/search/candidates"),
                     r.num(doc, "/search/feasible"), r.num(doc, "/search/simulated"), r.str(doc, "/search/objective")));

  d.heading("Throughput vs latency");
  std::vector<ConfigPoint> points;
  std::vector<bool> matched(pareto.size(), false);
  for (size_t i = 0; i < ranked.size(); ++i) {
    const json& c = ranked[i];
    ConfigPoint p{.label = config_label(r, c, "/config"),
                  .latency_ms = r.num(c, "/metrics/e2e_ms/p99"),
                  .throughput = r.num(c, "/planner/throughput_per_gpu_tok_s"),
                  .chosen = has_rec && same_config(c["config"], doc["recommended"]["config"])};
    for (size_t k = 0; k < pareto.size(); ++k) {
      if (same_config(c["config"], r.at(pareto[k], "/config"))) p.on_front = matched[k] = true;
    }
    points.push_back(p);
  }
  // Front members outside the alternatives shown (--top) still belong on the front.
  for (size_t k = 0; k < pareto.size(); ++k) {
    if (!matched[k]) {
      points.push_back({.label = "", .latency_ms = r.num(pareto[k], "/e2e_p99_ms"),
                        .throughput = r.num(pareto[k], "/throughput_per_gpu_tok_s"), .on_front = true});
    }
  }
  d.text("Every simulated candidate shown, the Pareto front (no other candidate has both more throughput per GPU "
         "and a lower p99 end-to-end latency) and the recommendation.");
  d.plot(throughput_latency_plot("pareto", "Throughput per GPU vs p99 end-to-end latency", "p99 end-to-end latency (ms)",
                                 "output tokens/s per GPU", points));

  Table t{.id = "candidates",
          .header = {"deployment", "GPUs", "tok/s/GPU", "TTFT p99 ms", "TPOT p99 ms", "e2e p99 ms", "bubble", "comm",
                     "GiB used / capacity", "SLO"}};
  std::vector<const json*> cands;
  std::vector<std::string> labels;
  for (const json& c : ranked) {
    const std::string label = config_label(r, c, "/config");
    cands.push_back(&c);
    labels.push_back(label);
    t.rows.push_back({label, fmt::format("{}", r.num(c, "/config/gpus")), f1(r.num(c, "/planner/throughput_per_gpu_tok_s")),
                      f1(r.num(c, "/metrics/ttft_ms/p99")), f1(r.num(c, "/metrics/tpot_ms/p99")),
                      f1(r.num(c, "/metrics/e2e_ms/p99")), pct(r.num(c, "/metrics/bubble_fraction")),
                      pct(r.num(c, "/communication/time_fraction")),
                      fmt::format("{} / {}", f1(r.num(c, "/memory_per_gpu_gib/total")),
                                  f1(r.num(c, "/memory_per_gpu_gib/capacity"))),
                      c["planner"].value("meets_slo", false) ? "met" : "missed"});
  }
  d.heading("Simulated candidates");
  d.table(t);
  if (!cands.empty()) candidate_plots(d, r, cands, labels, "candidate");

  d.heading("Rejected splits");
  std::map<std::string, std::pair<int, std::string>> kinds;
  for (const json& x : r.arr(doc, "/rejected")) {
    auto& k = kinds[x.value("kind", std::string("?"))];
    if (k.first++ == 0) k.second = x.value("reason", std::string());
  }
  Table rej{.id = "rejected", .header = {"reason", "splits", "example"}};
  for (const auto& [kind, v] : kinds) rej.rows.push_back({kind, std::to_string(v.first), v.second});
  if (rej.rows.empty()) rej.rows.push_back({"none", "0", ""});
  d.table(rej);
  return d;
}

Document sweep_report(const json& doc, const std::string& origin) {
  const Reader r{origin, doc};
  Document d;
  d.title = "Sweep: " + r.str(doc, "/sweep/name");
  const json& rows = r.arr(doc, "/rows");
  Table t{.id = "rows", .header = {"row", "best plan", "GPUs", "tok/s/GPU", "TTFT p99 ms", "TPOT p99 ms", "e2e p99 ms",
                                   "$/M tok", "SLO"}};
  Plot thr{.id = "sweep-throughput", .title = "Best plan's throughput per GPU across the sweep", .x_label = "row",
           .y_label = "output tokens/s per GPU", .kind = PlotKind::grouped_bars};
  Plot lat{.id = "sweep-latency", .title = "Best plan's p99 latencies across the sweep", .x_label = "row",
           .y_label = "ms", .kind = PlotKind::grouped_bars};
  Series tput{.name = "tok/s per GPU"}, ttft{.name = "TTFT p99"}, tpot{.name = "TPOT p99"};
  std::vector<const json*> cands;
  std::vector<std::string> labels;
  for (const json& row : rows) {
    const std::string name = r.str(row, "/name").empty() ? "base" : r.str(row, "/name");
    if (!row.contains("best") || row["best"].is_null()) {
      t.rows.push_back({name, "no plan: " + row.value("reason", std::string()), "", "", "", "", "", "", ""});
      continue;
    }
    const json& b = row["best"];
    t.rows.push_back({name, r.str(b, "/config"), fmt::format("{}", r.num(b, "/gpus")),
                      f1(r.num(b, "/throughput_per_gpu_tok_s")), f1(r.num(b, "/ttft_p99_ms")), f1(r.num(b, "/tpot_p99_ms")),
                      f1(r.num(b, "/e2e_p99_ms")), f2(r.num(b, "/usd_per_million_output_tokens")),
                      b.value("meets_slo", false) ? "met" : "missed"});
    thr.categories.push_back(name);
    lat.categories.push_back(name);
    tput.y.push_back(r.num(b, "/throughput_per_gpu_tok_s"));
    ttft.y.push_back(r.num(b, "/ttft_p99_ms"));
    tpot.y.push_back(r.num(b, "/tpot_p99_ms"));
    if (row.contains("recommended") && !row["recommended"].is_null()) {
      cands.push_back(&row["recommended"]);
      labels.push_back(name);
    }
  }
  d.text(fmt::format("{} rows; each is one planner run, its best plan shown.", rows.size()));
  d.heading("Best plan per row");
  d.table(t);
  if (!thr.categories.empty()) {
    thr.series = {tput};
    lat.series = {ttft, tpot};
    d.heading("Across the swept axis");
    d.plot(thr);
    d.plot(lat);
  }
  if (!cands.empty()) candidate_plots(d, r, cands, labels, "row's best plan");
  return d;
}

Document validation_report(const json& doc, const std::string& origin) {
  const Reader r{origin, doc};
  Document d;
  d.title = "Validation: prediction vs measurement";
  d.text(fmt::format("Backend {}, profile {}. Verdict: {} ({}).", doc.value("backend", std::string("?")),
                     doc.value("profile", std::string("?")), doc.value("passed", false) ? "passed" : "failed",
                     doc.value("verdict", std::string())));
  if (doc.contains("command")) d.code(doc["command"].get<std::string>());
  Table t{.id = "comparison", .header = {"metric", "predicted", "measured", "error"}};
  Plot pm{.id = "predicted-measured", .title = "Predicted vs measured", .x_label = "metric", .y_label = "value",
          .kind = PlotKind::grouped_bars};
  Plot err{.id = "error", .title = "Prediction error (predicted - measured) / measured", .x_label = "metric",
           .y_label = "error %", .kind = PlotKind::grouped_bars};
  Series pred{.name = "predicted"}, meas{.name = "measured"}, e{.name = "error %"};
  for (const json& row : r.arr(doc, "/comparison")) {
    const std::string metric = r.str(row, "/metric");
    const double p = r.num(row, "/predicted"), m = r.num(row, "/measured"), ep = r.num(row, "/error_pct");
    t.rows.push_back({metric, fmt::format("{:.4g}", p), fmt::format("{:.4g}", m), fmt::format("{:+.1f}%", ep)});
    for (Plot* pl : {&pm, &err}) pl->categories.push_back(metric);
    pred.y.push_back(p);
    meas.y.push_back(m);
    // Bars start at 0, so the error is drawn as its size; the sign is in the table.
    e.y.push_back(std::abs(ep));
  }
  d.heading("Per metric");
  d.table(t);
  if (!pm.categories.empty()) {
    pm.series = {pred, meas};
    // Phase times and per-op times differ by decades; on a linear axis the small ones vanish.
    std::vector<double> all = pred.y;
    all.insert(all.end(), meas.y.begin(), meas.y.end());
    const auto [lo, hi] = std::minmax_element(all.begin(), all.end());
    pm.log_y = *lo > 0 && *hi / *lo > 100;
    if (pm.log_y) pm.y_label = "value (log scale)";
    err.series = {e};
    err.y_label = "|error| %";
    d.plot(pm);
    d.plot(err);
  }
  // Per op name and stage (validation.json from this version on): where an error comes from.
  if (doc.contains("ops")) {
    Table ops{.id = "ops", .header = {"phase", "stage", "op", "predicted ms", "measured ms", "error"}};
    for (const json& row : r.arr(doc, "/ops")) {
      // validate computes the error (null where one side is zero); the report only prints it.
      const double p = r.num(row, "/predicted_ms"), m = r.num(row, "/measured_ms");
      const bool has_error = row.contains("error_pct") && row["error_pct"].is_number();
      ops.rows.push_back({r.str(row, "/phase"), fmt::format("{}", r.num(row, "/stage")), r.str(row, "/op"),
                          fmt::format("{:.4g}", p), fmt::format("{:.4g}", m),
                          has_error ? fmt::format("{:+.1f}%", r.num(row, "/error_pct")) : std::string("-")});
    }
    d.heading("Per op");
    d.text("Each op name of each stage, summed over its layers and microbatches, against the mean over the stage's "
           "ranks of the runtime's per-phase medians; ops without a price are the runtime's own (hand-offs, "
           "sampling).");
    d.table(ops);
  }
  return d;
}

Document report_of_file(const std::filesystem::path& path) {
  const json doc = json_load_file(path);
  const std::string origin = path.string();
  switch (input_kind(doc, origin)) {
    case InputKind::plan_result:
    case InputKind::plan_file: return plan_report(doc, origin);
    case InputKind::sweep: return sweep_report(doc, origin);
    case InputKind::validation: return validation_report(doc, origin);
  }
  SP_ASSERT(false, "unhandled input kind");
  return {};
}

}  // namespace sp::report
