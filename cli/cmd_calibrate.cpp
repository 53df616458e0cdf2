// shardplan calibrate: fit a profile's efficiency tables to measurements (docs/accuracy.md).
#include <fstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "sim/calibrate/silicon.h"
#include "sim/common/error.h"

namespace sp::cli {

Runner add_calibrate_command(CLI::App& app) {
  struct Flags {
    std::string silicon, system, engine = "vllm", out, format = "table";
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("calibrate", "Fit a system profile's efficiency tables to measured kernels");
  auto* src = cmd->add_option("--from-silicon", f->silicon,
                              "Measured kernel tables (shared/data/silicon: AIConfigurator's, per GPU and engine)");
  src->required();
  cmd->add_option("--system", f->system, "Bundled system to calibrate, e.g. dgx-h100")->required();
  cmd->add_option("--engine", f->engine, "Whose kernels: vllm or trtllm")->capture_default_str();
  cmd->add_option("--out", f->out, "Write the calibrated system profile (inline GPU profile) to FILE");
  add_format_flag(cmd, f->format);
  return [f]() {
    const Format format = parse_format(f->format);
    const auto engine = engine_parse(f->engine);
    if (!engine || *engine == Engine::sglang) {
      throw InputError(fmt::format("--engine: '{}' has no measured tables (use vllm or trtllm)", f->engine));
    }
    const SiliconCalibration cal = calibrate_from_silicon(f->silicon, f->system, *engine);
    if (!f->out.empty()) {
      std::ofstream o(f->out);
      if (!o) throw InputError(fmt::format("--out: cannot write '{}'", f->out));
      o << cal.profile.dump(2) << "\n";
    }
    std::string s;
    if (format == Format::json) {
      json fits = json::array();
      for (const auto& t : cal.fits) {
        fits.push_back({{"table", t.table}, {"source", t.source}, {"samples", t.samples},
                        {"median_err_pct", t.median_err_pct}, {"mean_err_pct", t.mean_err_pct}});
      }
      s = json{{"system", f->system}, {"engine", f->engine}, {"out", f->out}, {"fits", fits}}.dump(2) + "\n";
    } else {
      s = fmt::format("{} calibrated to {} measurements{}\n", f->system, f->engine,
                      f->out.empty() ? " (not written: no --out)" : ", written to " + f->out);
      s += fmt::format("  {:<38} {:>8} {:>12} {:>10}  {}\n", "table", "samples", "median |e|", "mean |e|", "fitted to");
      for (const auto& t : cal.fits) {
        s += fmt::format("  {:<38} {:>8} {:>11.1f}% {:>9.1f}%  {}\n", t.table, t.samples, t.median_err_pct,
                         t.mean_err_pct, t.source);
      }
    }
    return emit(s, true, "");
  };
}

}  // namespace sp::cli
