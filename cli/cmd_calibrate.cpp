// shardplan calibrate: a profile from measurements, either this machine's (--backend cpu: the
// CPU runtime measures its cores and MPI; docs/runtime.md) or published kernel tables
// (--from-silicon: fits the efficiency tables of a bundled system; docs/accuracy.md).
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/output.h"
#include "runtime/calibrate_cpu.h"
#include "sim/calibrate/silicon.h"
#include "sim/common/error.h"
#include "sim/hardware/system_profile.h"

namespace sp::cli {

namespace {

struct CalibrateFlags {
  std::string backend;                                   // --backend cpu
  std::string name;
  std::string silicon, system, engine = "vllm";          // --from-silicon
  std::string out, format = "table";
};

void write_file(const std::filesystem::path& path, const nlohmann::json& j) {
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp);
    if (!f) throw InputError(fmt::format("--out {}: cannot write there; create the folder first", path.string()));
    f << j.dump(2) << "\n";
  }
  std::filesystem::rename(tmp, path);
}

int calibrate_this_machine(const CalibrateFlags& f) {
  if (f.out.empty()) throw InputError("--out: --backend cpu needs the profile to write, e.g. hardware_profiles/calibrated/my-host.json");
  const std::filesystem::path out(f.out);
  if (out.extension() != ".json") throw InputError(fmt::format("--out {}: the profile must end in .json", f.out));
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
  const auto t0 = std::chrono::steady_clock::now();
  CalibrateCpuOptions o{.name = f.name.empty() ? out.stem().string() : f.name, .host = host, .date = date};
  const CpuCalibration c = calibrate_cpu(o);
  if (!out.parent_path().empty()) std::filesystem::create_directories(out.parent_path());
  write_file(out, c.profile);
  const auto meas = out.parent_path() / (out.stem().string() + ".measurements.json");
  write_file(meas, c.measurements);
  // The profile must load as any other: a failure here is a bug, reported as internal.
  const SystemProfile p = system_profile_load(out.string());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("calibrated {} ({} ranks of one core) in {:.0f} s -> {}\n", p.name, p.gpus_per_node, secs, out.string());
  fmt::print("  GEMM peak             {:8.1f} GFLOP/s (fp32, one core)\n", p.gpu.peak_bf16_tflops * 1e3);
  fmt::print("  memory bandwidth      {:8.2f} GB/s per counted bf16 byte (streaming copy / 2)\n",
             p.gpu.memory_bandwidth_gb_s);
  fmt::print("  MPI alpha             {:8.2f} us base + {:.2f} us per step\n", p.collective_base_latency_us,
             p.intra.latency_us);
  fmt::print("  MPI beta              {:8.2f} GB/s per counted byte\n", p.intra.bandwidth_gb_s);
  fmt::print("  raw measurements      {}\n", meas.string());
  return kOk;
}

int calibrate_from_tables(const CalibrateFlags& f) {
  if (f.system.empty()) throw InputError("--system: --from-silicon needs the bundled system to calibrate, e.g. dgx-h100");
  const Format format = parse_format(f.format);
  const auto engine = engine_parse(f.engine);
  if (!engine || *engine == Engine::sglang) {
    throw InputError(fmt::format("--engine: '{}' has no measured tables (use vllm or trtllm)", f.engine));
  }
  const SiliconCalibration cal = calibrate_from_silicon(f.silicon, f.system, *engine);
  if (!f.out.empty()) write_file(f.out, cal.profile);
  std::string s;
  if (format == Format::json) {
    json fits = json::array();
    for (const auto& t : cal.fits) {
      fits.push_back({{"table", t.table}, {"source", t.source}, {"samples", t.samples},
                      {"median_err_pct", round6(t.median_err_pct)}, {"mean_err_pct", round6(t.mean_err_pct)}});
    }
    s = json{{"system", f.system}, {"engine", f.engine}, {"out", f.out}, {"fits", fits}}.dump(2) + "\n";
  } else {
    s = fmt::format("{} calibrated to {} measurements{}\n", f.system, f.engine,
                    f.out.empty() ? " (not written: no --out)" : ", written to " + f.out);
    s += fmt::format("  {:<38} {:>8} {:>12} {:>10}  {}\n", "table", "samples", "median |e|", "mean |e|", "fitted to");
    for (const auto& t : cal.fits) {
      s += fmt::format("  {:<38} {:>8} {:>11.1f}% {:>9.1f}%  {}\n", t.table, t.samples, t.median_err_pct,
                       t.mean_err_pct, t.source);
    }
  }
  return emit(s, true, "");
}

}  // namespace

Runner add_calibrate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "calibrate", "Write a hardware profile from measurements: this machine (--backend cpu) or kernel tables (--from-silicon)");
  auto f = std::make_shared<CalibrateFlags>();
  cmd->add_option("--backend", f->backend, "Measure this machine: cpu (its cores, MPI between ranks); cuda is not implemented yet")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_option("--name", f->name, "--backend: profile name (default: the --out file name without .json)");
  cmd->add_option("--from-silicon", f->silicon,
                  "Fit to measured kernel tables (shared/data/silicon: AIConfigurator's, per GPU and engine)");
  cmd->add_option("--system", f->system, "--from-silicon: bundled system to calibrate, e.g. dgx-h100");
  cmd->add_option("--engine", f->engine, "--from-silicon: whose kernels, vllm or trtllm")->capture_default_str();
  cmd->add_option("--out", f->out, "Profile to write (--backend cpu also writes <name>.measurements.json beside it)");
  add_format_flag(cmd, f->format);
  return [f]() {
    if (f->backend.empty() == f->silicon.empty()) {
      throw InputError("calibrate: give exactly one source: --backend cpu (this machine) or --from-silicon DIR");
    }
    if (!f->backend.empty()) backend_check(f->backend);
    return f->backend.empty() ? calibrate_from_tables(*f) : calibrate_this_machine(*f);
  };
}

}  // namespace sp::cli
