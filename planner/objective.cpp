#include "planner/objective.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "sim/common/data_dir.h"
#include "sim/common/error.h"
#include "sim/common/json_reader.h"

namespace sp {

Objective objective_parse(std::string_view s) {
  if (s == "throughput") return Objective::throughput;
  if (s == "latency") return Objective::latency;
  if (s == "cost") return Objective::cost;
  throw InputError(fmt::format("--objective: unknown objective '{}' (use throughput, latency or cost)", s));
}

std::string_view objective_name(Objective o) {
  switch (o) {
    case Objective::throughput: return "throughput";
    case Objective::latency: return "latency";
    case Objective::cost: return "cost";
  }
  return "?";
}

SloTargets slo_parse(std::string_view s) {
  SloTargets out;
  constexpr std::string_view kKeys = "ttft_p99_ms, tpot_p99_ms, e2e_p99_ms";
  bool seen[3] = {false, false, false};
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find(',', pos);
    if (end == std::string_view::npos) end = s.size();
    const std::string_view part = s.substr(pos, end - pos);
    pos = end + 1;
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      throw InputError(fmt::format("--slo: '{}' is not KEY=VALUE (e.g. ttft_p99_ms=500,tpot_p99_ms=50)", part));
    }
    const std::string_view key = part.substr(0, eq), val = part.substr(eq + 1);
    double v = 0;
    auto [p, ec] = std::from_chars(val.data(), val.data() + val.size(), v);
    if (ec != std::errc() || p != val.data() + val.size() || !std::isfinite(v) || v <= 0 || v > 1e9) {
      throw InputError(fmt::format("--slo: {} = '{}' is not a number of milliseconds in (0, 1e9]", key, val));
    }
    int idx = key == "ttft_p99_ms" ? 0 : key == "tpot_p99_ms" ? 1 : key == "e2e_p99_ms" ? 2 : -1;
    if (idx < 0) throw InputError(fmt::format("--slo: unknown key '{}' (use {})", key, kKeys));
    if (seen[idx]) throw InputError(fmt::format("--slo: {} given twice", key));
    seen[idx] = true;
    (idx == 0 ? out.ttft_s : idx == 1 ? out.tpot_s : out.e2e_s) = v * 1e-3;
  }
  return out;
}

std::string slo_format(const SloTargets& s) {
  std::string out;
  auto add = [&](std::string_view k, double v) {
    if (v > 0) out += fmt::format("{}{}={:g}", out.empty() ? "" : ",", k, v * 1e3);
  };
  add("ttft_p99_ms", s.ttft_s);
  add("tpot_p99_ms", s.tpot_s);
  add("e2e_p99_ms", s.e2e_s);
  return out;
}

GpuPrice gpu_price_bundled(std::string_view gpu_name) {
  const auto path = data_dir() / "hardware_profiles" / "gpu_hour_usd.json";
  const json j = json_load_file(path);
  if (!j.contains("gpus") || !j["gpus"].is_object() || !j["gpus"].contains(std::string(gpu_name))) {
    throw InputError(fmt::format("--objective cost: no bundled GPU-hour price for GPU '{}' in {}; pass --gpu-hour-usd",
                                 gpu_name, path.string()));
  }
  ObjectReader r(j["gpus"][std::string(gpu_name)], path.string(), fmt::format("/gpus/{}", gpu_name));
  GpuPrice p;
  p.usd_per_hour = r.number("usd_per_hour", 0.01, 1000);
  p.source = r.string("source");
  r.finish();
  return p;
}

}  // namespace sp
