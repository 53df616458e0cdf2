#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <numeric>

#include "sim/common/error.h"
#include "sim/cost/collective.h"
#include "sim/hardware/system_profile.h"
#include "sim/hardware/topology.h"

using namespace sp;

namespace {
std::vector<int> first_n(int n) {
  std::vector<int> v(size_t(n), 0);
  std::iota(v.begin(), v.end(), 0);
  return v;
}
}  // namespace

TEST_SUITE("hardware") {

TEST_CASE("every bundled system loads, with a source for every number") {
  auto names = system_bundled_names();
  CHECK(names == std::vector<std::string>{"aws-p6-b200", "dgx-a100", "dgx-b200", "dgx-h100", "dgx-h200", "h100-pcie",
                                          "l40s", "mi300x"});
  for (const auto& n : names) {
    CAPTURE(n);
    auto s = system_profile_load(n);  // throws when a number lacks its source
    CHECK(s.gpus_per_node == 8);
    CHECK(s.gpu.peak_bf16_tflops > 0);
  }
  auto h = system_profile_load("dgx-h100");
  CHECK(h.gpu.peak_bf16_tflops == 989);
  CHECK(h.gpu.memory_bandwidth_gb_s == 3350);
  CHECK(h.intra.fabric == Fabric::nvswitch);
}

TEST_CASE("a profile number without a source, or an unknown key, is an error") {
  auto j = json_load_file(std::string(SHARDPLAN_SOURCE_DIR) + "/hardware_profiles/gpus/h100-sxm.json");
  auto k = j;
  k["sources"].erase("memory_gib");
  CHECK_THROWS_WITH_AS(gpu_profile_from_json(k, "p.json"),
                       "p.json: /sources/memory_gib: missing; every number in a profile names where it came from",
                       InputError);
  k = j;
  k["efficiency"]["gemm_compte"] = 0.5;
  k["sources"]["efficiency.gemm_compte"] = "typo";
  CHECK_THROWS_WITH_AS(gpu_profile_from_json(k, "p.json"),
                       "p.json: /efficiency/gemm_compte: unknown key (known keys here: attention_compute, "
                       "gemm_compute, memory; extensions start with x-)",
                       InputError);
}

TEST_CASE("a source for a number that is not there is an error") {
  auto j = json_load_file(std::string(SHARDPLAN_SOURCE_DIR) + "/hardware_profiles/gpus/h100-sxm.json");
  j["sources"]["memory_gb"] = "stale";
  CHECK_THROWS_WITH_AS(gpu_profile_from_json(j, "p.json"),
                       "p.json: /sources/memory_gb: names no number of the profile; remove it or fix its name",
                       InputError);
  j = json_load_file(std::string(SHARDPLAN_SOURCE_DIR) + "/hardware_profiles/gpus/h100-sxm.json");
  j["pcie_gen"] = 8.5;
  CHECK_THROWS_WITH_AS(gpu_profile_from_json(j, "p.json"), "p.json: /pcie_gen: expected an integer in [1, 7], found 8.5",
                       InputError);
}

TEST_CASE("a user's system profile may name its own GPU profile by path") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "shardplan_custom_hw";
  fs::create_directories(dir);
  const fs::path src = fs::path(SHARDPLAN_SOURCE_DIR) / "hardware_profiles";
  auto gpu = json_load_file(src / "gpus/h100-sxm.json");
  gpu["name"] = "my-h100";
  gpu["memory_gib"] = 64;
  std::ofstream(dir / "my-h100.json") << gpu.dump();
  auto sys = json_load_file(src / "systems/dgx-h100.json");
  sys["gpu"] = "my-h100.json";  // relative to the system profile's folder
  std::ofstream(dir / "my-node.json") << sys.dump();
  auto c = cluster_make((dir / "my-node.json").string(), 1);
  CHECK(c.system.gpu.name == "my-h100");
  CHECK(c.system.gpu.memory_gib == 64);
  fs::remove_all(dir);
}

TEST_CASE("an NVSwitch fabric cannot outrun the GPUs' NVLink") {
  auto sys = json_load_file(std::string(SHARDPLAN_SOURCE_DIR) + "/hardware_profiles/systems/h100-pcie.json");
  sys["intra_node"] = {{"fabric", "nvswitch"}, {"bandwidth_gb_s", 450}, {"latency_us", 1}, {"efficiency", 0.8}};
  sys["sources"].erase("intra_node.switches");
  sys["sources"].erase("intra_node.inter_switch_bandwidth_gb_s");
  CHECK_THROWS_WITH_AS(system_profile_from_json(sys, "s.json"),
                       "s.json: /intra_node/bandwidth_gb_s: 450 GB/s per GPU over NVSwitch exceeds the 0 GB/s NVLink "
                       "bandwidth of GPU 'h100-pcie'; use a fabric of pcie or mesh, or fix the bandwidth",
                       InputError);
}

TEST_CASE("unknown systems list the bundled ones; --nodes is range-checked") {
  CHECK_THROWS_WITH_AS(cluster_make("dgx-h1000", 1),
                       "--hardware: unknown system 'dgx-h1000' (bundled: aws-p6-b200, dgx-a100, dgx-b200, dgx-h100, dgx-h200, "
                       "h100-pcie, l40s, mi300x; or pass a path to a system profile)",
                       InputError);
  CHECK_THROWS_WITH_AS(cluster_make("dgx-h100", 0), "--nodes: 0 is out of range (use 1 to 4096)", InputError);
}

TEST_CASE("NVSwitch: a ring inside the node runs at the per-GPU NVLink rate") {
  Topology t(cluster_make("dgx-h100", 1));
  for (int n : {2, 4, 8}) {
    auto l = t.group_links(first_n(n));
    CHECK(l.nodes == 1);
    CHECK(l.ranks_per_node == n);
    CHECK(l.intra_bw_gb_s == doctest::Approx(450 * 0.82));
  }
  CHECK(t.rings_bandwidth_gb_s({first_n(8)}) == std::vector<double>{450});
  // Two rings over the same GPUs share every link.
  CHECK(t.rings_bandwidth_gb_s({first_n(8), first_n(8)}) == std::vector<double>{225, 225});
}

TEST_CASE("across nodes: one ring per local rank, each on its own NIC") {
  Topology t(cluster_make("dgx-h100", 2));
  auto l = t.group_links(first_n(16));
  CHECK(l.crosses_nodes());
  CHECK(l.nodes == 2);
  CHECK(l.ranks_per_node == 8);
  CHECK(l.inter_bw_gb_s == doctest::Approx(50 * 0.94));
  // A group of 8 + 4 ranks: four cross-node rings, each on its own NIC.
  auto uneven = t.group_links(first_n(12));
  CHECK(uneven.ranks_per_node == 4);
  CHECK(uneven.inter_bw_gb_s == doctest::Approx(50 * 0.94));
  CHECK(uneven.intra_bw_gb_s == doctest::Approx(450 * 0.82));
  // h100-pcie has 4 NICs for 8 GPUs: two rings share each NIC.
  Topology p(cluster_make("h100-pcie", 2));
  CHECK(p.group_links(first_n(16)).inter_bw_gb_s == doctest::Approx(25 * 0.94));
}

TEST_CASE("aws-p6-b200: the DGX B200 board with an EFA network") {
  const SystemProfile p6 = system_profile_load("aws-p6-b200");
  const SystemProfile dgx = system_profile_load("dgx-b200");
  CHECK(p6.gpu.name == dgx.gpu.name);
  CHECK(p6.gpus_per_node == 8);
  CHECK(p6.intra.bandwidth_gb_s == dgx.intra.bandwidth_gb_s);
  CHECK(p6.inter.nics_per_node == 8);
  CHECK(p6.inter.nic_bandwidth_gb_s == 50);
  // EFA's per-step latency (AWS's tuner model) is several times InfiniBand's.
  CHECK(p6.inter.latency_us > 3 * dgx.inter.latency_us);
  CHECK(p6.inter.efficiency < dgx.inter.efficiency);
  // Inside one node the two are the same machine; across 4 nodes EFA is slower at every size.
  const Topology tp6(cluster_make("aws-p6-b200", 4)), tdgx(cluster_make("dgx-b200", 4));
  const GroupLinks node_p6 = tp6.group_links(first_n(8)), node_dgx = tdgx.group_links(first_n(8));
  const GroupLinks all_p6 = tp6.group_links(first_n(32)), all_dgx = tdgx.group_links(first_n(32));
  CHECK(all_p6.nodes == 4);
  for (double S = 1 << 10; S <= double(1 << 30); S *= 8) {
    CAPTURE(S);
    CHECK(collective_time_s(Collective::allreduce, S, node_p6) == collective_time_s(Collective::allreduce, S, node_dgx));
    CHECK(collective_time_s(Collective::allreduce, S, all_p6) > collective_time_s(Collective::allreduce, S, all_dgx));
    CHECK(collective_time_s(Collective::allreduce, S, all_p6) > collective_time_s(Collective::allreduce, S, node_p6));
  }
}

TEST_CASE("PCIe: the ring is bounded by the GPU links and the socket link") {
  Topology t(cluster_make("h100-pcie", 1));
  CHECK(t.group_links(first_n(4)).intra_bw_gb_s == doctest::Approx(63 * 0.80));
  CHECK(t.group_links(first_n(8)).intra_bw_gb_s == doctest::Approx(63 * 0.80));
  // Two rings crossing the socket link in the same direction halve it.
  CHECK(t.rings_bandwidth_gb_s({{0, 4}, {1, 5}}) == std::vector<double>{32, 32});
}

TEST_CASE("mesh: a group uses all its direct links") {
  Topology t(cluster_make("mi300x", 1));
  CHECK(t.group_links(first_n(2)).intra_bw_gb_s == doctest::Approx(64 * 0.75));
  CHECK(t.group_links(first_n(8)).intra_bw_gb_s == doctest::Approx(7 * 64 * 0.75));
}

}  // TEST_SUITE
