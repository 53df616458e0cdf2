#include "runtime/validate.h"

#include <algorithm>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "runtime/launch.h"
#include "runtime/stats.h"
#include "sim/common/error.h"

namespace sp {

PhasePrediction predict_phase(const CostModel& cm, const BatchShape& mb, int microbatches) {
  const int p = cm.num_stages();
  PhasePrediction out;
  const auto n = static_cast<size_t>(p);
  std::vector<double> stage_s(n), handoff_s(n, 0.0);
  for (int s = 0; s < p; ++s) {
    stage_s[size_t(s)] = cm.stage_time(s, mb).total_s();
    handoff_s[size_t(s)] = cm.handoff_time_s(s, mb);
    out.stage_busy_s.push_back(stage_s[size_t(s)] * microbatches);
  }
  for (const Op& op : cm.stage_ops(0, mb))
    if (op.cls == OpClass::allreduce) out.allreduce_s += cm.op_seconds(op) * microbatches;
  // finish[s] holds the finish time of the previous microbatch on stage s.
  std::vector<double> finish(n, 0.0);
  for (int i = 0; i < microbatches; ++i) {
    double ready = 0;
    for (int s = 0; s < p; ++s) {
      const double start = std::max(finish[size_t(s)], ready);
      finish[size_t(s)] = start + stage_s[size_t(s)];
      ready = finish[size_t(s)] + handoff_s[size_t(s)];
    }
  }
  out.time_s = finish[size_t(p - 1)];
  return out;
}

namespace {

std::string first_line(const std::string& s, const std::string& prefix) {
  size_t at = s.find(prefix);
  if (at == std::string::npos) at = 0;
  const std::string line = s.substr(at, s.find('\n', at) - at);
  return line.empty() ? "(no message)" : line;
}

// Mean over the ranks of `stage` (all ranks when stage < 0) of get(rank's JSON).
template <class Get>
double mean_over_ranks(const nlohmann::json& ranks, int stage, Get&& get) {
  double sum = 0;
  int n = 0;
  for (const auto& r : ranks) {
    if (stage >= 0 && r.at("stage").get<int>() != stage) continue;
    sum += get(r);
    ++n;
  }
  return n ? sum / n : 0;
}

double mean_over_ranks(const nlohmann::json& ranks, const char* phase, const char* cls, int stage = -1) {
  return mean_over_ranks(ranks, stage, [&](const nlohmann::json& r) { return r.at(phase).at(cls).get<double>(); });
}

double mean_of(const nlohmann::json& ranks, const char* key, int stage) {
  return mean_over_ranks(ranks, stage, [&](const nlohmann::json& r) { return r.at(key).get<double>(); });
}

double busy(const nlohmann::json& ranks, const char* phase, int stage) {
  double t = 0;
  for (const char* c : {"gemm", "attention", "elementwise", "allreduce", "allgather", "sendrecv"})
    t += mean_over_ranks(ranks, phase, c, stage);
  return t;
}

// Per op name: predicted (priced ops of `stage` x microbatches) against measured (mean over the
// stage's ranks of `key`, the runtime's per-op medians), both in ms.
void compare_ops(const CostModel& cm, const BatchShape& mb, int microbatches, const nlohmann::json& ranks,
                 const char* phase, const char* key, int stage, std::vector<OpComparison>& out) {
  std::map<std::string, std::pair<double, double>> by_name;  // predicted, measured
  for (const Op& op : cm.stage_ops(stage, mb)) by_name[std::string(op.name)].first += cm.op_seconds(op) * microbatches * 1e3;
  int n = 0;
  for (const auto& r : ranks) {
    if (r.at("stage").get<int>() != stage || !r.contains(key)) continue;
    ++n;
    for (const auto& [name, s] : r.at(key).items()) by_name[name].second += s.get<double>() * 1e3;
  }
  for (auto& [name, pm] : by_name) {
    out.push_back({.phase = phase, .stage = stage, .op = name, .predicted_ms = pm.first,
                   .measured_ms = n ? pm.second / n : 0});
  }
}

}  // namespace

ValidationReport validate_cpu(const ValidateOptions& o) {
  const auto& pc = o.plan.parallel;
  const int np = o.np > 0 ? o.np : pc.gpus();
  if (np != pc.gpus()) {
    throw InputError(fmt::format("--np {}: the plan has tp {} x pp {} x dp {} = {} ranks; use --np {}", np, pc.tp,
                                 pc.pp, pc.dp, pc.gpus(), pc.gpus()));
  }
  RunShape shape = o.shape;
  if (shape.microbatches == 0) shape.microbatches = o.plan.batch.microbatches > 0 ? o.plan.batch.microbatches : pc.pp;
  run_shape_validate(shape);

  // Price first: a bad profile or split fails before minutes of running.
  const Precision prec{.weights = dtype_parse(o.plan.dtype, "dtype"), .kv = dtype_parse(o.plan.kv_dtype, "kv_dtype")};
  const std::string profile = o.profile.empty() ? o.plan.hardware : o.profile;
  const CostModel cm(model_load(o.plan.model), cluster_make(profile, 1), pc, prec);
  rank_shape(cm.model(), pc.tp, 0);  // the runtime's own limits, before launching it

  std::filesystem::create_directories(o.out_dir);
  plan_save(o.plan, o.out_dir / "plan.json");
  const auto meas_path = o.out_dir / "measurement.json";
  std::vector<std::string> args{"--plan", (o.out_dir / "plan.json").string(), "--batch", std::to_string(shape.batch),
                                "--prompt-len", std::to_string(shape.prompt_len), "--decode-steps",
                                std::to_string(shape.decode_steps), "--microbatches", std::to_string(shape.microbatches),
                                "--warmup", std::to_string(o.warmup), "--iters", std::to_string(o.iters), "--seed",
                                std::to_string(o.seed), "--check", "--out", meas_path.string(), "--timeout",
                                fmt::format("{:.0f}", o.timeout_s)};
  if (o.trace) {
    args.push_back("--trace");
    args.push_back(o.out_dir.string());
  }
  const MpiLaunch launch{.np = np, .args = args, .timeout_s = o.timeout_s + 30};
  ValidationReport rep;
  rep.command = mpi_launch_command(launch);
  std::filesystem::remove(meas_path);
  const LaunchResult lr = mpi_launch(launch);
  if (lr.code != 0 || !std::filesystem::exists(meas_path)) {
    throw InputError(fmt::format("validate: the run failed (exit {}): {}", lr.code,
                                 first_line(lr.err, "shardplan-run:")));
  }
  {
    std::ifstream f(meas_path);
    rep.measurement = nlohmann::json::parse(f);
  }
  const auto& m = rep.measurement;
  const auto& ranks = m.at("ranks");

  const PhasePrediction pre = predict_phase(cm, run_prefill_batch(shape), shape.microbatches);
  std::vector<PhasePrediction> dec;
  std::vector<double> dec_s;
  for (int k = 0; k < shape.decode_steps; ++k) {
    dec.push_back(predict_phase(cm, run_decode_batch(shape, k), shape.microbatches));
    dec_s.push_back(dec.back().time_s);
  }
  const double dec_pred = median(dec_s);
  const PhasePrediction& dec_mid = dec.empty() ? pre : dec[dec.size() / 2];

  auto row = [&](std::string name, double pred_s, double meas_s) {
    rep.rows.push_back({.metric = std::move(name), .predicted = pred_s * 1e3, .measured = meas_s * 1e3});
  };
  row("prefill_ms", pre.time_s, m.at("prefill_median_s").get<double>());
  row("decode_step_ms", dec_pred, m.at("decode_step_median_s").get<double>());
  // One batch of equal requests arriving together: the first token of every sequence comes at
  // the end of the prefill, and each further token one decode step later.
  row("ttft_ms", pre.time_s, m.at("prefill_median_s").get<double>());
  row("tpot_ms", dec_pred, m.at("decode_step_median_s").get<double>());
  if (pc.tp > 1) {
    row("prefill_allreduce_ms", pre.allreduce_s, mean_over_ranks(ranks, "prefill_s", "allreduce", 0));
    row("decode_allreduce_ms", dec_mid.allreduce_s, mean_over_ranks(ranks, "decode_step_s", "allreduce", 0));
  }
  for (int s = 0; s < pc.pp; ++s) {
    row(fmt::format("prefill_stage{}_busy_ms", s), pre.stage_busy_s[size_t(s)], busy(ranks, "prefill_s", s));
    row(fmt::format("decode_stage{}_busy_ms", s), dec_mid.stage_busy_s[size_t(s)], busy(ranks, "decode_step_s", s));
  }
  // The same busy times from per-op medians, which reject the phases a shared machine disturbed.
  for (int s = 0; s < pc.pp; ++s) {
    row(fmt::format("prefill_stage{}_ops_median_ms", s), pre.stage_busy_s[size_t(s)],
        mean_of(ranks, "prefill_ops_median_s", s));
    row(fmt::format("decode_stage{}_ops_median_ms", s), dec_mid.stage_busy_s[size_t(s)],
        mean_of(ranks, "decode_step_ops_median_s", s));
  }
  for (int s = 0; s < pc.pp; ++s) {
    compare_ops(cm, run_prefill_batch(shape), shape.microbatches, ranks, "prefill", "prefill_ops_s", s, rep.ops);
    compare_ops(cm, run_decode_batch(shape, shape.decode_steps / 2), shape.microbatches, ranks, "decode_step",
                "decode_step_ops_s", s, rep.ops);
  }
  const double e_pre = std::abs(rep.rows[0].error_pct()), e_dec = std::abs(rep.rows[1].error_pct());
  const bool numerics = m.contains("check") && m["check"].value("passed", false);
  rep.passed = e_pre <= o.max_error_pct && e_dec <= o.max_error_pct && numerics;
  rep.verdict = fmt::format("{}: prefill error {:.1f}%, decode step error {:.1f}% (threshold {:.0f}%); numerics {}",
                            rep.passed ? "PASS" : "FAIL", e_pre, e_dec, o.max_error_pct,
                            numerics ? "match the one-rank reference" : "DO NOT match the reference");
  return rep;
}

nlohmann::json validation_to_json(const ValidationReport& r, const ValidateOptions& o) {
  auto rows = nlohmann::json::array();
  for (const auto& x : r.rows) {
    rows.push_back({{"metric", x.metric}, {"predicted", x.predicted}, {"measured", x.measured},
                    {"error_pct", x.error_pct()}});
  }
  auto ops = nlohmann::json::array();
  for (const auto& x : r.ops) {
    const auto e = x.error_pct();
    ops.push_back({{"phase", x.phase}, {"stage", x.stage}, {"op", x.op}, {"predicted_ms", x.predicted_ms},
                   {"measured_ms", x.measured_ms}, {"error_pct", e ? nlohmann::json(*e) : nlohmann::json(nullptr)}});
  }
  return {{"schema_version", 1},
          {"kind", "shardplan-validation"},
          {"backend", "cpu"},
          {"profile", o.profile.empty() ? o.plan.hardware : o.profile},
          {"command", r.command},
          {"comparison", rows},
          {"ops", ops},
          {"passed", r.passed},
          {"verdict", r.verdict},
          {"measurement", r.measurement}};
}

std::string validation_to_markdown(const ValidationReport& r, const ValidateOptions& o) {
  const auto& m = r.measurement;
  const auto& s = m.at("shape");
  const auto& pc = o.plan.parallel;
  std::string md = fmt::format("# Validation: {} at tp={} pp={} dp={} on the CPU runtime\n\n", o.plan.model, pc.tp,
                               pc.pp, pc.dp);
  md += fmt::format("Measured on {} at {} ({} ranks); predicted with profile `{}`.\n\n", m.value("host", "?"),
                    m.value("date", "?"), m.value("np", 0), o.profile.empty() ? o.plan.hardware : o.profile);
  md += fmt::format("Load average of the machine when the run ended: {:.2f} on {} cores (other jobs share it; "
                    "timings above 1 rank per idle core are contention, not the model).\n\n",
                    m.value("load_average_at_end", -1.0), m.value("cores", 0));
  md += fmt::format("Workload: one batch of {} sequences, prompt {} tokens, {} decode steps, {} microbatch(es); "
                    "{} warm-up and {} timed iterations, medians.\n\n",
                    s.value("batch", 0), s.value("prompt_len", 0), s.value("decode_steps", 0),
                    s.value("microbatches", 0), s.value("warmup", 0), s.value("iters", 0));
  md += "| metric | predicted | measured | error |\n| --- | ---: | ---: | ---: |\n";
  for (const auto& x : r.rows)
    md += fmt::format("| {} | {:.3f} | {:.3f} | {:+.1f}% |\n", x.metric, x.predicted, x.measured, x.error_pct());
  if (m.contains("check")) {
    const auto& c = m["check"];
    md += fmt::format("\nNumerics: {} of {} logits outside tolerance {} (max |error| {:.3g}) against the unsharded "
                      "reference.\n",
                      c.value("wrong", 0), c.value("compared", 0), c.value("tolerance", 0.0),
                      c.value("max_abs_err", 0.0));
  }
  if (!r.ops.empty()) {
    md += "\nPer op (each stage's ranks averaged; summed over layers and microbatches; decode at the middle step; "
          "ops without a price are the runtime's own):\n\n"
          "| phase | stage | op | predicted ms | measured ms | error |\n| --- | ---: | --- | ---: | ---: | ---: |\n";
    for (const auto& x : r.ops) {
      const auto e = x.error_pct();
      const std::string err = e ? fmt::format("{:+.1f}%", *e) : "-";
      md += fmt::format("| {} | {} | {} | {:.3f} | {:.3f} | {} |\n", x.phase, x.stage, x.op, x.predicted_ms,
                        x.measured_ms, err);
    }
  }
  md += fmt::format("\n**{}**\n\nCommand of the run:\n\n```\n{}\n```\n", r.verdict, r.command);
  return md;
}

}  // namespace sp
