// A node type (GPUs + intra-node fabric + NICs) and a cluster of N such nodes.
// Loaded from hardware_profiles/systems/<name>.json.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/hardware/gpu_profile.h"

namespace sp {

enum class Fabric {
  nvswitch,  // every GPU has one link of `bandwidth` to a non-blocking switch (DGX)
  pcie,      // GPUs under `switches` PCIe switches joined by a socket-to-socket link
  mesh,      // every pair of GPUs has a direct link of `bandwidth` (MI300X Infinity Fabric)
};

std::string_view fabric_name(Fabric f);

struct IntraNode {
  Fabric fabric = Fabric::nvswitch;
  double bandwidth_gb_s = 0;              // per GPU link, unidirectional, e.g. 450
  double latency_us = 0;                  // per collective step over this fabric, e.g. 0.78
  double efficiency = 1;                  // achieved / line rate for collectives, e.g. 0.82
  int switches = 1;                       // pcie: number of PCIe switches, GPUs split evenly
  double inter_switch_bandwidth_gb_s = 0; // pcie: link between switches (CPU sockets)
};

struct InterNode {
  int nics_per_node = 0;                  // e.g. 8 (one per GPU on DGX)
  double nic_bandwidth_gb_s = 0;          // per NIC, unidirectional, e.g. 50 (400 Gb/s)
  double latency_us = 0;                  // per collective step across nodes
  double efficiency = 1;
};

// Bandwidth efficiency of collectives inside one node, by message size (x "bytes", nccl-tests
// convention) and ranks (y "ranks"), fitted to measured collectives (optional, docs/formats.md).
// Where present it replaces intra_node.efficiency for that collective on single-node groups:
// the bandwidth term runs at line rate * efficiency(bytes, ranks); latencies stay alpha terms.
struct CollectiveTables {
  ShapeTable allreduce;
  ShapeTable allgather;  // also reduce-scatter
  ShapeTable alltoall;
};

struct SystemProfile {
  std::string name;                       // e.g. "dgx-h100"
  std::string description;
  GpuProfile gpu;
  int gpus_per_node = 0;
  IntraNode intra;
  InterNode inter;
  double collective_base_latency_us = 0;  // fixed cost of one NCCL collective launch
  double nccl_buffer_gib = 0;             // per GPU, when it is in any group of more than one rank
  CollectiveTables collective_tables;     // optional; empty tables = the constant efficiency
};

// A cluster of `nodes` identical systems.
struct Cluster {
  SystemProfile system;
  int nodes = 1;
  int total_gpus() const { return system.gpus_per_node * nodes; }
};

SystemProfile system_profile_from_json(const json& j, std::string_view origin);
SystemProfile system_profile_load(std::string_view name);
std::vector<std::string> system_bundled_names();

// Upper bound on --nodes: planning beyond it is refused rather than run for hours.
inline constexpr int kMaxNodes = 4096;
Cluster cluster_make(std::string_view system_name, int nodes);

}  // namespace sp
