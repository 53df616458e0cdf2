#include "sim/hardware/gpu_profile.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/common/data_dir.h"
#include "sim/common/error.h"

namespace sp {

namespace {

void collect_numeric_keys(const json& j, const std::string& prefix, std::vector<std::string>& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "sources" || it.key() == "schema_version") continue;
    std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_number()) out.push_back(key);
    if (it->is_object()) collect_numeric_keys(*it, key, out);
  }
}

}  // namespace

void require_sources(const json& profile, std::string_view origin) {
  if (!profile.is_object()) return;  // the reader reports the type error
  std::vector<std::string> keys;
  collect_numeric_keys(profile, "", keys);
  auto src = profile.find("sources");
  if (src == profile.end() || !src->is_object()) {
    throw InputError(fmt::format("{}: /sources: expected an object naming the source of every number", origin));
  }
  for (const auto& k : keys) {
    if (src == profile.end() || !src->is_object() || !src->contains(k) || !(*src)[k].is_string()) {
      throw InputError(fmt::format("{}: /sources/{}: missing; every number in a profile names where it came from",
                                   origin, k));
    }
  }
  // A source for a key that is not there is a stale or misspelt entry: it documents nothing.
  for (auto it = src->begin(); it != src->end(); ++it) {
    if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) {
      throw InputError(fmt::format("{}: /sources/{}: names no number of the profile; remove it or fix its name",
                                   origin, it.key()));
    }
  }
}

GpuProfile gpu_profile_from_json(const json& j, std::string_view origin) {
  ObjectReader r(j, std::string(origin));
  r.integer("schema_version", 1, 1);
  r.raw("sources");
  GpuProfile g;
  g.name = r.string("name");
  g.description = r.string_opt("description").value_or("");
  g.peak_bf16_tflops = r.number("peak_bf16_tflops", 1, 1e6);
  g.peak_fp8_tflops = r.number("peak_fp8_tflops", 0, 1e6);
  g.memory_gib = r.number("memory_gib", 1, 1e5);
  g.memory_bandwidth_gb_s = r.number("memory_bandwidth_gb_s", 1, 1e6);
  g.nvlink_bandwidth_gb_s = r.number("nvlink_bandwidth_gb_s", 0, 1e6);
  g.pcie_gen = int(r.integer("pcie_gen", 1, 7));
  g.kernel_overhead_us = r.number("kernel_overhead_us", 0, 1e4);
  g.runtime_overhead_gib = r.number("runtime_overhead_gib", 0, 1e4);
  ObjectReader e = r.object("efficiency");
  g.efficiency.gemm_compute = e.number("gemm_compute", 0.01, 1);
  g.efficiency.memory = e.number("memory", 0.01, 1);
  g.efficiency.attention_compute = e.number("attention_compute", 0.01, 1);
  e.finish();
  // After the fields, so that a number written as a string is reported as such.
  require_sources(j, origin);
  r.finish();
  return g;
}

GpuProfile gpu_profile_load(std::string_view name, const std::filesystem::path& base_dir) {
  const bool is_path = name.find('/') != std::string_view::npos || name.ends_with(".json");
  auto path = is_path ? base_dir / std::filesystem::path(name)
                      : data_dir() / "hardware_profiles" / "gpus" / (std::string(name) + ".json");
  return gpu_profile_from_json(json_load_file(path), path.string());
}

}  // namespace sp
