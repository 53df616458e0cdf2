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
    if (it->is_number() || json_is_shape_table(*it)) out.push_back(key);
    else if (it->is_object() && !(prefix.empty() && it.key() == "gpu")) collect_numeric_keys(*it, key, out);
  }
}

// The tables of EfficiencyTables: JSON key, axis names, member. One list for reading and writing.
struct TableSpec {
  std::string_view key, x, y;
  ShapeTable EfficiencyTables::*member;
};
constexpr TableSpec kTables[] = {
    {"gemm_bf16", "m", "nk", &EfficiencyTables::gemm_bf16},
    {"gemm_fp8", "m", "nk", &EfficiencyTables::gemm_fp8},
    {"attention_prefill", "seq_len", "seqs_heads", &EfficiencyTables::attention_prefill},
    {"attention_decode", "seqs", "context", &EfficiencyTables::attention_decode},
    {"memory", "bytes", "", &EfficiencyTables::memory},
};

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
  // Down to 1 GFLOP/s: a calibrated CPU core (one rank of the CPU runtime) is a "GPU" of ~0.05 TFLOP/s.
  g.peak_bf16_tflops = r.number("peak_bf16_tflops", 0.001, 1e6);
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
  if (r.has("efficiency_tables")) {
    ObjectReader t = r.object("efficiency_tables");
    for (const auto& spec : kTables) {
      if (!t.has(spec.key)) continue;
      g.tables.*spec.member = shape_table_from_json(t.raw(spec.key), std::string(origin),
                                                    "/efficiency_tables/" + std::string(spec.key), spec.x, spec.y);
    }
    t.finish();
  }
  // After the fields, so that a number written as a string is reported as such.
  require_sources(j, origin);
  r.finish();
  return g;
}

json gpu_profile_to_json(const GpuProfile& g, const json& sources) {
  json j;
  j["schema_version"] = 1;
  j["name"] = g.name;
  if (!g.description.empty()) j["description"] = g.description;
  j["peak_bf16_tflops"] = g.peak_bf16_tflops;
  j["peak_fp8_tflops"] = g.peak_fp8_tflops;
  j["memory_gib"] = g.memory_gib;
  j["memory_bandwidth_gb_s"] = g.memory_bandwidth_gb_s;
  j["nvlink_bandwidth_gb_s"] = g.nvlink_bandwidth_gb_s;
  j["pcie_gen"] = g.pcie_gen;
  j["kernel_overhead_us"] = g.kernel_overhead_us;
  j["runtime_overhead_gib"] = g.runtime_overhead_gib;
  j["efficiency"] = {{"gemm_compute", g.efficiency.gemm_compute},
                     {"memory", g.efficiency.memory},
                     {"attention_compute", g.efficiency.attention_compute}};
  json t = json::object();
  for (const auto& spec : kTables) {
    const ShapeTable& tab = g.tables.*spec.member;
    if (!tab.empty()) t[std::string(spec.key)] = shape_table_to_json(tab, spec.x, spec.y);
  }
  if (!t.empty()) j["efficiency_tables"] = t;
  j["sources"] = sources;
  return j;
}

GpuProfile gpu_profile_load(std::string_view name, const std::filesystem::path& base_dir) {
  const bool is_path = name.find('/') != std::string_view::npos || name.ends_with(".json");
  auto path = is_path ? base_dir / std::filesystem::path(name)
                      : data_dir() / "hardware_profiles" / "gpus" / (std::string(name) + ".json");
  return gpu_profile_from_json(json_load_file(path), path.string());
}

}  // namespace sp
