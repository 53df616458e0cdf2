// shardplan accuracy FILE: predictions against published measurements (docs/accuracy.md).
#include <fstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "sim/accuracy/baseline.h"
#include "sim/common/error.h"

namespace sp::cli {

namespace {

std::string_view kind_name(TaskKind k) {
  switch (k) {
    case TaskKind::offline: return "simulate";
    case TaskKind::static_batch:
    case TaskKind::ttft: return "estimate";
    case TaskKind::collective_time:
    case TaskKind::busbw:
    case TaskKind::busbw_peak: return "collective";
  }
  return "?";
}

std::string report_table(const AccuracyReport& r) {
  std::string s = fmt::format("{:<62} {:<10} {:>12} {:>12} {:>8}  {}\n", "record", "by", "predicted", "published", "error",
                  "unit, profile");
  for (const auto& x : r.results) {
    s += fmt::format("{:<62} {:<10} {:>12.4g} {:>12.4g} {:>+7.1f}%  {}, {}\n", x.id, kind_name(x.kind), x.predicted,
                     x.published, x.error_pct(), x.unit, x.profile);
  }
  s += fmt::format("\n{:<28} {:>6} {:>12} {:>10}\n", "family", "count", "median |e|", "MAPE");
  for (const auto& f : r.families) {
    s += fmt::format("{:<28} {:>6} {:>11.1f}% {:>9.1f}%\n", f.name, f.count, f.median_ape, f.mape);
  }
  s += fmt::format("ranking of splits: Kendall tau {:.2f} over {} groups ({} concordant, {} discordant pairs)\n",
                   r.ranking.tau, r.ranking.groups, r.ranking.concordant, r.ranking.discordant);
  s += fmt::format("\nnot mapped ({}):\n", r.unmapped.size());
  for (const auto& u : r.unmapped) s += fmt::format("  {:<62} {}\n", u.id, u.reason);
  return s;
}

json report_json(const AccuracyReport& r) {
  json recs = json::array();
  for (const auto& x : r.results) {
    recs.push_back({{"id", x.id}, {"family", family_name(x.family)}, {"by", kind_name(x.kind)},
                    {"predicted", x.predicted}, {"published", x.published}, {"error_pct", x.error_pct()},
                    {"unit", x.unit}, {"profile", x.profile}});
  }
  json un = json::array();
  for (const auto& u : r.unmapped) un.push_back({{"id", u.id}, {"reason", u.reason}});
  json j = accuracy_baseline_json(r);
  j.erase("tolerance_points");
  j.erase("schema_version");
  j["records"] = recs;
  j["unmapped"] = un;
  j["ranking"] = {{"groups", r.ranking.groups}, {"concordant", r.ranking.concordant},
                  {"discordant", r.ranking.discordant}, {"kendall_tau", r.ranking.tau}};
  return j;
}

}  // namespace

Runner add_accuracy_command(CLI::App& app) {
  struct Flags {
    std::string file, format = "table", baseline, write_baseline;
    bool bundled = false;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("accuracy", "Predict every published measurement in FILE and report the errors");
  cmd->add_option("FILE", f->file, "Published measurements, e.g. ../shared/data/validation/published-dev.json")->required();
  cmd->add_flag("--bundled", f->bundled, "Use the bundled profiles only, not hardware_profiles/calibrated/");
  cmd->add_option("--check", f->baseline,
                  "Gate: exit 1 when a family's MAPE rises more than the baseline's tolerance above FILE's figures");
  cmd->add_option("--write-baseline", f->write_baseline, "Write this run's figures as a baseline to FILE");
  add_format_flag(cmd, f->format);
  return [f]() {
    const Format format = parse_format(f->format);
    const auto records = published_load(f->file);
    const AccuracyReport r = accuracy_run(records, AccuracyOptions{.calibrated = !f->bundled});
    std::string out = format == Format::json ? report_json(r).dump(2) + "\n" : report_table(r);
    if (!f->write_baseline.empty()) {
      std::ofstream o(f->write_baseline);
      if (!o) throw InputError(fmt::format("--write-baseline: cannot write '{}'", f->write_baseline));
      o << accuracy_baseline_json(r).dump(2) << "\n";
    }
    if (f->baseline.empty()) return emit(out, true, "");
    const auto regressions = accuracy_regressions(r, json_load_file(f->baseline), f->baseline);
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    for (const auto& line : regressions) fmt::print(stderr, "shardplan: accuracy regression: {}\n", line);
    return regressions.empty() ? int(kOk) : int(kInfeasible);
  };
}

}  // namespace sp::cli
