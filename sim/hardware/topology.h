// The physical topology of a cluster as a Boost.Graph graph: GPUs, NVSwitches, PCIe switches,
// NICs and the network switch as vertices; each physical link as two directed edges (links are
// full duplex) with bandwidth and latency. It answers what the collective cost model needs to
// know about a group of GPUs: the bandwidth a ring over them sustains per rank once several
// hops share a link, the per-step latency, and whether the group crosses nodes.
#pragma once

#include <span>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "sim/hardware/system_profile.h"

namespace sp {

enum class LinkKind { nvlink, pcie, inter_switch, nic, xgmi };

// What the collective model needs about one group of ranks (pure data, see sim/cost/collective.h).
struct GroupLinks {
  int ranks = 1;                 // n
  int nodes = 1;                 // nodes the group spans
  int ranks_per_node = 1;        // g, ranks per node in the hierarchy: the sparsest node's count
  double intra_bw_gb_s = 0;      // per-rank ring bandwidth inside a node, after protocol efficiency
  double intra_step_us = 0;      // latency of one ring step inside a node
  double inter_bw_gb_s = 0;      // per-rank bandwidth of the cross-node rings (0 when nodes == 1)
  double inter_step_us = 0;
  double base_us = 0;            // fixed launch cost of one collective
  double intra_efficiency = 1;   // the constant protocol efficiency already in intra_bw_gb_s
  CollectiveTables intra_tables; // the system's fitted efficiencies by size and ranks (may be empty)
  bool crosses_nodes() const { return nodes > 1; }
};

class Topology {
 public:
  struct VertexProps {
    int node = -1;   // node index; -1 for the cluster's network switch
    int gpu = -1;    // global GPU id for GPU vertices, else -1
  };
  struct EdgeProps {
    double bandwidth_gb_s = 0;
    double latency_us = 0;
    LinkKind kind = LinkKind::nvlink;
  };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, VertexProps, EdgeProps>;
  using Vertex = Graph::vertex_descriptor;
  using Edge = Graph::edge_descriptor;

  // Throws InputError when the cluster needs a network the system does not have.
  explicit Topology(const Cluster& cluster);

  int num_gpus() const { return int(gpu_vertex_.size()); }
  int node_of(int gpu) const { return gpu / gpus_per_node_; }
  const Graph& graph() const { return g_; }

  // Bandwidth of each of the rings given (each a cyclic order of GPU ids) when all run at
  // once: every hop is routed on a shortest path, each directed edge's bandwidth is shared by
  // the hops that cross it, and a ring moves at the pace of its most loaded edge. Line rate,
  // before protocol efficiency.
  std::vector<double> rings_bandwidth_gb_s(const std::vector<std::vector<int>>& rings) const;

  // Links of a group of GPUs, for the collective cost model. Ranks keep the given order.
  GroupLinks group_links(std::span<const int> gpus) const;

 private:
  std::vector<Edge> route(int from_gpu, int to_gpu) const;
  Vertex add_vertex(int node, int gpu);
  void add_link(Vertex a, Vertex b, double bw, double lat, LinkKind kind);

  Graph g_;
  std::vector<Vertex> gpu_vertex_;
  // Cross-node paths are always GPU -> its NIC -> network -> NIC -> GPU; these edges let
  // route() build them without a search, so 1,000-node clusters stay cheap.
  struct Uplink {
    Edge gpu_to_nic, nic_to_net, net_to_nic, nic_to_gpu;
  };
  std::vector<Uplink> uplink_;
  int gpus_per_node_ = 1;
  IntraNode intra_;
  InterNode inter_;
  double base_us_ = 0;
  CollectiveTables tables_;
};

// Unidirectional bandwidth of a PCIe x16 link of generation `gen`, GB/s.
double pcie_x16_gb_s(int gen);

}  // namespace sp
