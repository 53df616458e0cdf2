// shardplan report: a plan, sweep or validation document as Markdown + HTML with plots, or the
// TP-vs-PP study regenerated from its scenario file.
#include <thread>

#include <fmt/format.h>

#include "cli/commands.h"
#include "report/claims.h"
#include "report/json_reports.h"
#include "report/study.h"
#include "report/study_report.h"
#include "report/write.h"
#include "sim/common/error.h"

namespace sp::cli {

namespace {

struct ReportFlags {
  std::string input, study, out;
  int threads = 0;
};

}  // namespace

Runner add_report_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("report", "Write DIR/report.md and a self-contained DIR/report.html with gnuplot plots "
                                           "from a plan, sweep or validation JSON, or run the TP-vs-PP study");
  auto f = std::make_shared<ReportFlags>();
  auto* in = cmd->add_option("input", f->input, "plan result ('plan --format json'), plan.json, sweep JSON or validation.json");
  auto* study = cmd->add_option("--study", f->study, "Run the TP-vs-PP study of this scenario file instead (reports/tp-vs-pp/)");
  in->excludes(study);
  cmd->add_option("--out", f->out, "Folder for report.md, report.html and plots/")->required();
  cmd->add_option("--threads", f->threads, "--study: simulation threads (0 = every core); results do not depend on it")
      ->capture_default_str();
  return [f]() {
    if (f->input.empty() && f->study.empty()) {
      throw InputError("report: give a JSON document to report on, or --study FILE (see 'shardplan report --help')");
    }
    if (f->threads < 0 || f->threads > 1024) {
      throw InputError(fmt::format("--threads: {} is out of range (use 0 to 1024)", f->threads));
    }
    if (!f->study.empty()) {
      const int threads = f->threads > 0 ? f->threads : int(std::max(1u, std::thread::hardware_concurrency()));
      const report::StudyResult r = report::study_run(report::study_load(f->study), threads);
      const auto claims = report::claims_check(r);
      report::report_write(report::study_report(r, claims), f->out);
      for (const auto& c : claims) fmt::print("claim {}: {}\n", c.number, c.verdict.text);
      fmt::print("study: {} simulations in {:.2f} s\n", 2 * r.splits.size() + r.bubbles.size(), r.wall_s);
    } else {
      report::report_write(report::report_of_file(f->input), f->out);
    }
    fmt::print("report written to {0}/report.md and {0}/report.html\n", f->out);
    return kOk;
  };
}

}  // namespace sp::cli
