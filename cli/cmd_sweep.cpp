#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/output.h"
#include "cli/plan_request.h"
#include "cli/sweep_output.h"
#include "planner/parallel_for.h"
#include "planner/scenario.h"
#include "sim/common/error.h"
#include "sim/common/json_reader.h"

namespace sp::cli {

namespace {

struct SweepFlags {
  std::string scenario;
  std::vector<std::string> merge;
  std::string shard;
  bool robust = false;
  int threads = 0;
  std::string format = "table";
  std::string out;
};

struct Shard {
  int index = 0, count = 1;
};

Shard shard_parse(const std::string& s) {
  Shard sh;
  if (s.empty()) return sh;
  const size_t slash = s.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    size_t a = 0, b = 0;
    sh.index = std::stoi(s.substr(0, slash), &a);
    sh.count = std::stoi(s.substr(slash + 1), &b);
    if (a != slash || b != s.size() - slash - 1) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw InputError(fmt::format("--shard: '{}' is not I/N (slice I of N, counted from 0, e.g. 0/4)", s));
  }
  if (sh.count < 1 || sh.count > 100000 || sh.index < 0 || sh.index >= sh.count) {
    throw InputError(fmt::format("--shard: '{}' needs 1 <= N <= 100000 and 0 <= I < N", s));
  }
  return sh;
}

// Runs the planner on each row of this shard.
SweepRun run_rows(const Scenario& sc, const Shard& sh, int threads) {
  SweepRun run;
  run.name = sc.name;
  run.digest = sc.digest;
  run.total_rows = int64_t(sc.rows.size());
  run.shard_index = sh.index;
  run.shard_count = sh.count;
  const bool tty = isatty(STDERR_FILENO);
  for (size_t i = size_t(sh.index); i < sc.rows.size(); i += size_t(sh.count)) {
    const ScenarioRow& row = sc.rows[i];
    if (tty) fmt::print(stderr, "\rsweep: row {} of {}: {:<40.40}", i + 1, sc.rows.size(), message_quote(row.name, 40));
    PlanFlags f;
    f.threads = threads;
    SweepRow out;
    out.index = int64_t(i);
    out.name = row.name;
    out.settings = row.settings;
    // Some settings are checked only when the search generates the workload (a request count,
    // a trace file): their errors name the row too.
    try {
      plan_flags_apply(f, row.settings);
      out.ctx = plan_context(f);
      out.result = plan_search(out.ctx.request);
    } catch (const InputError& e) {
      if (tty) fmt::print(stderr, "\r{:80}\r", "");  // the error gets its own line, not the progress's
      throw InputError(fmt::format("row {} ({}): {}", i, message_quote(row.name), e.what()));
    }
    run.rows.push_back(std::move(out));
  }
  if (tty) fmt::print(stderr, "\r{:80}\r", "");
  return run;
}

}  // namespace

Runner add_sweep_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("sweep", "Run the planner over a scenario grid and compare the best plans");
  auto f = std::make_shared<SweepFlags>();
  cmd->add_option("scenario", f->scenario, "Scenario file (JSON; docs/formats.md)");
  cmd->add_option("--merge", f->merge, "Join the JSON outputs of --shard runs into one result")->expected(1, -1);
  cmd->add_option("--shard", f->shard, "Run slice I of N of the rows (I counted from 0), e.g. a Slurm array task");
  cmd->add_flag("--robust", f->robust, "Also choose the one configuration that meets the SLOs in every row");
  cmd->add_option("--threads", f->threads, "Evaluation threads (0 = every core)")->capture_default_str();
  cmd->add_option("--format", f->format, "table, json or csv")->capture_default_str();
  cmd->add_option("--out", f->out, "Also write the JSON result to FILE");
  return [f]() {
    const auto t0 = std::chrono::steady_clock::now();
    if (f->format != "table" && f->format != "json" && f->format != "csv") {
      throw InputError(fmt::format("--format: unknown format '{}' (use table, json or csv)", f->format));
    }
    nlohmann::json doc;
    std::string failure;
    if (!f->merge.empty()) {
      if (!f->scenario.empty() || !f->shard.empty() || f->robust) {
        throw InputError("--merge: give only the shard outputs (no scenario file, --shard or --robust)");
      }
      std::vector<nlohmann::json> parts;
      for (const auto& path : f->merge) parts.push_back(json_load_file(path));
      doc = sweep_merge(parts, f->merge);
    } else {
      if (f->scenario.empty()) throw InputError("sweep: give a scenario file, or --merge with shard outputs");
      // Flags before files, so a typo in a flag is reported whatever the file holds.
      const Shard sh = shard_parse(f->shard);
      if (f->threads < 0 || f->threads > 1024) {
        throw InputError(fmt::format("--threads: {} is out of range (use 0 to 1024)", f->threads));
      }
      const Scenario sc = scenario_load(f->scenario);
      SweepRun run = run_rows(sc, sh, f->threads);
      if (f->robust) {
        if (sh.count > 1) throw InputError("--robust: needs every row in one run (drop --shard)");
        run.robust = robust_choice(run, f->threads > 0 ? f->threads : 2);
        run.robust_asked = true;
      }
      run.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      doc = sweep_json(run);
    }
    failure = sweep_failure(doc);
    if (!f->out.empty()) {
      std::ofstream o(f->out);
      if (!o) throw InputError(fmt::format("--out: cannot write '{}'", f->out));
      o << doc.dump(2) << '\n';
    }
    std::string text = f->format == "json" ? doc.dump(2) + "\n" : f->format == "csv" ? sweep_csv(doc) : sweep_table(doc);
    return emit(text, failure.empty(), failure);
  };
}

}  // namespace sp::cli
