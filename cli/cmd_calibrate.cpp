// shardplan calibrate --backend cpu --out PROFILE.json: measure this machine for the CPU runtime.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "runtime/calibrate_cpu.h"
#include "sim/common/error.h"
#include "sim/hardware/system_profile.h"

namespace sp::cli {

namespace {

struct CalibrateFlags {
  std::string backend;
  std::string out;
  std::string name;
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

}  // namespace

Runner add_calibrate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("calibrate", "Measure this machine and write a hardware profile the cost model reads");
  auto f = std::make_shared<CalibrateFlags>();
  cmd->add_option("--backend", f->backend, "what to measure: cpu (this machine's cores, MPI between ranks)")
      ->required()
      ->check(CLI::IsMember({"cpu"}));
  cmd->add_option("--out", f->out, "system profile to write, e.g. hardware_profiles/calibrated/my-host.json; the raw "
                                   "measurements go beside it as <name>.measurements.json")
      ->required();
  cmd->add_option("--name", f->name, "profile name (default: the --out file name without .json)");
  return [f]() {
    const std::filesystem::path out(f->out);
    if (out.extension() != ".json") throw InputError(fmt::format("--out {}: the profile must end in .json", f->out));
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char date[16];
    std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
    const auto t0 = std::chrono::steady_clock::now();
    CalibrateCpuOptions o{.name = f->name.empty() ? out.stem().string() : f->name, .host = host, .date = date};
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
  };
}

}  // namespace sp::cli
