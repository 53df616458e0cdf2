#include "sim/hardware/system_profile.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/common/data_dir.h"
#include "sim/common/error.h"

namespace sp {

std::string_view fabric_name(Fabric f) {
  switch (f) {
    case Fabric::nvswitch: return "nvswitch";
    case Fabric::pcie: return "pcie";
    case Fabric::mesh: return "mesh";
  }
  return "?";
}

SystemProfile system_profile_from_json(const json& j, std::string_view origin) {
  ObjectReader r(j, std::string(origin));
  r.integer("schema_version", 1, 1);
  r.raw("sources");
  SystemProfile s;
  s.name = r.string("name");
  s.description = r.string_opt("description").value_or("");
  if (r.has("gpu") && r.raw("gpu").is_object()) {
    // An inline GPU profile (calibrated profiles carry theirs): it holds its own sources.
    s.gpu = gpu_profile_from_json(r.raw("gpu"), fmt::format("{}: /gpu", origin));
  } else {
    std::string gpu = r.string("gpu");
    try {
      s.gpu = gpu_profile_load(gpu, std::filesystem::path(origin).parent_path());
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: GPU profile '{}' failed to load: {}", r.where("gpu"), message_quote(gpu), e.what()));
    }
  }
  s.gpus_per_node = int(r.integer("gpus_per_node", 1, 1024));

  ObjectReader in = r.object("intra_node");
  std::string fabric = in.string("fabric");
  if (fabric == "nvswitch") s.intra.fabric = Fabric::nvswitch;
  else if (fabric == "pcie") s.intra.fabric = Fabric::pcie;
  else if (fabric == "mesh") s.intra.fabric = Fabric::mesh;
  else throw InputError(fmt::format("{}: unknown fabric '{}' (use nvswitch, pcie or mesh)", in.where("fabric"), message_quote(fabric)));
  s.intra.bandwidth_gb_s = in.number("bandwidth_gb_s", 0.1, 1e6);
  // An NVSwitch fabric runs on the GPUs' NVLink ports: it can be no faster than they are.
  if (s.intra.fabric == Fabric::nvswitch && s.intra.bandwidth_gb_s > s.gpu.nvlink_bandwidth_gb_s) {
    throw InputError(fmt::format(
        "{}: {} GB/s per GPU over NVSwitch exceeds the {} GB/s NVLink bandwidth of GPU '{}'; use a fabric of pcie or "
        "mesh, or fix the bandwidth",
        in.where("bandwidth_gb_s"), s.intra.bandwidth_gb_s, s.gpu.nvlink_bandwidth_gb_s, message_quote(s.gpu.name)));
  }
  s.intra.latency_us = in.number("latency_us", 0, 1e6);
  s.intra.efficiency = in.number("efficiency", 0.01, 1);
  if (s.intra.fabric == Fabric::pcie) {
    s.intra.switches = int(in.integer("switches", 1, s.gpus_per_node));
    if (s.gpus_per_node % s.intra.switches != 0) {
      throw InputError(fmt::format("{}: {} GPUs per node do not split evenly over {} switches", in.where("switches"),
                                   s.gpus_per_node, s.intra.switches));
    }
    s.intra.inter_switch_bandwidth_gb_s = in.number("inter_switch_bandwidth_gb_s", 0.1, 1e6);
  }
  in.finish();

  ObjectReader out = r.object("inter_node");
  s.inter.nics_per_node = int(out.integer("nics_per_node", 0, 1024));
  s.inter.nic_bandwidth_gb_s = out.number("nic_bandwidth_gb_s", 0, 1e6);
  s.inter.latency_us = out.number("latency_us", 0, 1e6);
  s.inter.efficiency = out.number("efficiency", 0.01, 1);
  out.finish();

  s.collective_base_latency_us = r.number("collective_base_latency_us", 0, 1e6);
  s.nccl_buffer_gib = r.number("nccl_buffer_gib", 0, 1e3);
  if (r.has("collective_tables")) {
    ObjectReader t = r.object("collective_tables");
    const std::pair<std::string_view, ShapeTable CollectiveTables::*> tables[] = {
        {"allreduce", &CollectiveTables::allreduce},
        {"allgather", &CollectiveTables::allgather},
        {"alltoall", &CollectiveTables::alltoall}};
    for (const auto& [key, member] : tables) {
      if (!t.has(key)) continue;
      s.collective_tables.*member = shape_table_from_json(t.raw(key), std::string(origin),
                                                          "/collective_tables/" + std::string(key), "bytes", "ranks");
    }
    t.finish();
  }
  // After the fields, so that a number written as a string is reported as such.
  require_sources(j, origin);
  r.finish();
  return s;
}

std::vector<std::string> system_bundled_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data_dir() / "hardware_profiles" / "systems", ec)) {
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

SystemProfile system_profile_load(std::string_view name) {
  bool is_path = name.find('/') != std::string_view::npos || name.ends_with(".json");
  std::filesystem::path path =
      is_path ? std::filesystem::path(name) : data_dir() / "hardware_profiles" / "systems" / (std::string(name) + ".json");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    if (is_path) throw InputError(fmt::format("--hardware: no such file '{}'", message_quote(name)));
    throw InputError(fmt::format("--hardware: unknown system '{}' (bundled: {}; or pass a path to a system profile)",
                                 message_quote(name), fmt::join(system_bundled_names(), ", ")));
  }
  return system_profile_from_json(json_load_file(path), path.string());
}

Cluster cluster_make(std::string_view system_name, int nodes) {
  if (nodes < 1 || nodes > kMaxNodes) {
    throw InputError(fmt::format("--nodes: {} is out of range (use 1 to {})", nodes, kMaxNodes));
  }
  return Cluster{.system = system_profile_load(system_name), .nodes = nodes};
}

}  // namespace sp
