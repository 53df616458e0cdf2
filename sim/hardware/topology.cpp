#include "sim/hardware/topology.h"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "sim/common/error.h"

namespace sp {

double pcie_x16_gb_s(int gen) {
  // 16 lanes at 2.5, 5, 8, 16, 32, 64 GT/s with 128b/130b coding from Gen3 on.
  static constexpr double kPerGen[] = {0, 4, 8, 15.75, 31.5, 63, 126, 242};
  return kPerGen[std::clamp(gen, 1, 7)];
}

Topology::Vertex Topology::add_vertex(int node, int gpu) { return boost::add_vertex(VertexProps{node, gpu}, g_); }

void Topology::add_link(Vertex a, Vertex b, double bw, double lat, LinkKind kind) {
  boost::add_edge(a, b, EdgeProps{bw, lat, kind}, g_);
  boost::add_edge(b, a, EdgeProps{bw, lat, kind}, g_);
}

Topology::Topology(const Cluster& cluster)
    : gpus_per_node_(cluster.system.gpus_per_node),
      intra_(cluster.system.intra),
      inter_(cluster.system.inter),
      base_us_(cluster.system.collective_base_latency_us),
      tables_(cluster.system.collective_tables) {
  const auto& s = cluster.system;
  if (cluster.nodes > 1 && (s.inter.nics_per_node == 0 || s.inter.nic_bandwidth_gb_s <= 0)) {
    throw InputError(fmt::format("--nodes: system '{}' has no NICs in its profile, so it cannot span {} nodes",
                                 message_quote(s.name), cluster.nodes));
  }
  const double pcie = pcie_x16_gb_s(s.gpu.pcie_gen);
  Vertex network{};
  if (cluster.nodes > 1) network = add_vertex(-1, -1);
  for (int node = 0; node < cluster.nodes; ++node) {
    std::vector<Vertex> gpus;
    for (int i = 0; i < s.gpus_per_node; ++i) {
      gpus.push_back(add_vertex(node, node * s.gpus_per_node + i));
      gpu_vertex_.push_back(gpus.back());
    }
    switch (s.intra.fabric) {
      case Fabric::nvswitch: {
        Vertex sw = add_vertex(node, -1);
        for (Vertex v : gpus) add_link(v, sw, s.intra.bandwidth_gb_s, 0, LinkKind::nvlink);
        break;
      }
      case Fabric::pcie: {
        Vertex host = add_vertex(node, -1);
        const int per_switch = s.gpus_per_node / s.intra.switches;
        for (int sw_i = 0; sw_i < s.intra.switches; ++sw_i) {
          Vertex sw = add_vertex(node, -1);
          add_link(sw, host, s.intra.inter_switch_bandwidth_gb_s, 0, LinkKind::inter_switch);
          for (int i = 0; i < per_switch; ++i) {
            add_link(gpus[sw_i * per_switch + i], sw, s.intra.bandwidth_gb_s, 0, LinkKind::pcie);
          }
        }
        break;
      }
      case Fabric::mesh:
        for (size_t i = 0; i < gpus.size(); ++i)
          for (size_t j = i + 1; j < gpus.size(); ++j) add_link(gpus[i], gpus[j], s.intra.bandwidth_gb_s, 0, LinkKind::xgmi);
        break;
    }
    if (cluster.nodes > 1) {
      // GPUs share NICs evenly (rail-aligned: GPU i uses NIC i * nics / gpus).
      std::vector<Vertex> nics;
      for (int n = 0; n < s.inter.nics_per_node; ++n) {
        nics.push_back(add_vertex(node, -1));
        add_link(nics.back(), network, s.inter.nic_bandwidth_gb_s, 0, LinkKind::nic);
      }
      for (int i = 0; i < s.gpus_per_node; ++i) {
        const Vertex nic = nics[size_t(i) * nics.size() / gpus.size()];
        add_link(gpus[i], nic, pcie, 0, LinkKind::pcie);
        uplink_.push_back(Uplink{boost::edge(gpus[i], nic, g_).first, boost::edge(nic, network, g_).first,
                                 boost::edge(network, nic, g_).first, boost::edge(nic, gpus[i], g_).first});
      }
    }
  }
}

std::vector<Topology::Edge> Topology::route(int from_gpu, int to_gpu) const {
  if (node_of(from_gpu) != node_of(to_gpu)) {
    const Uplink& a = uplink_[size_t(from_gpu)];
    const Uplink& b = uplink_[size_t(to_gpu)];
    return {a.gpu_to_nic, a.nic_to_net, b.net_to_nic, b.nic_to_gpu};
  }
  // Fewest hops; the fabrics we build have a unique shortest path between GPUs up to symmetry.
  const Vertex src = gpu_vertex_[size_t(from_gpu)], dst = gpu_vertex_[size_t(to_gpu)];
  std::vector<Edge> pred(boost::num_vertices(g_));
  std::vector<char> seen(boost::num_vertices(g_), 0);
  std::vector<Vertex> queue{src};
  seen[src] = 1;
  for (size_t head = 0; head < queue.size() && !seen[dst]; ++head) {
    Vertex u = queue[head];
    for (auto [e, end] = boost::out_edges(u, g_); e != end; ++e) {
      Vertex v = boost::target(*e, g_);
      if (seen[v]) continue;
      // GPUs forward nothing: traffic never transits another GPU.
      if (g_[v].gpu >= 0 && v != dst) continue;
      seen[v] = 1;
      pred[v] = *e;
      queue.push_back(v);
    }
  }
  SP_ASSERT(seen[dst], "topology: GPUs are not connected");
  std::vector<Edge> path;
  for (Vertex v = dst; v != src; v = boost::source(pred[v], g_)) path.push_back(pred[v]);
  std::reverse(path.begin(), path.end());
  return path;
}

std::vector<double> Topology::rings_bandwidth_gb_s(const std::vector<std::vector<int>>& rings) const {
  std::map<Edge, int> load;
  std::vector<std::vector<Edge>> ring_edges(rings.size());
  for (size_t r = 0; r < rings.size(); ++r) {
    const auto& ring = rings[r];
    if (ring.size() < 2) continue;
    for (size_t i = 0; i < ring.size(); ++i) {
      for (Edge e : route(ring[i], ring[(i + 1) % ring.size()])) {
        ++load[e];
        ring_edges[r].push_back(e);
      }
    }
  }
  std::vector<double> bw(rings.size(), 0.0);
  for (size_t r = 0; r < rings.size(); ++r) {
    if (ring_edges[r].empty()) continue;
    bw[r] = std::numeric_limits<double>::infinity();
    for (Edge e : ring_edges[r]) bw[r] = std::min(bw[r], g_[e].bandwidth_gb_s / load[e]);
  }
  return bw;
}

GroupLinks Topology::group_links(std::span<const int> gpus) const {
  GroupLinks l;
  l.ranks = int(gpus.size());
  l.base_us = base_us_;
  if (gpus.size() < 2) return l;
  std::map<int, std::vector<int>> by_node;
  for (int g : gpus) {
    SP_ASSERT(g >= 0 && g < num_gpus(), "topology: GPU id out of range");
    by_node[node_of(g)].push_back(g);
  }
  l.nodes = int(by_node.size());
  // Groups that fill nodes unevenly (8 + 4) are priced with the sparsest node's count: its
  // ranks move the most per rank in the cross-node phase. Bandwidth inside a node comes from
  // the fullest node's ring.
  const std::vector<int>* fullest = &by_node.begin()->second;
  size_t sparsest = fullest->size();
  for (const auto& [node, members] : by_node) {
    if (members.size() > fullest->size()) fullest = &members;
    sparsest = std::min(sparsest, members.size());
  }
  l.ranks_per_node = int(sparsest);

  if (fullest->size() > 1) {
    // Inside a node: NCCL's ring in rank order. On a mesh every stride s is used at once:
    // hops i -> i+s form gcd(n, s) cycles, and a rank's bandwidth is the sum over strides.
    const auto& m = *fullest;
    const size_t n = m.size();
    const size_t strides = intra_.fabric == Fabric::mesh ? n - 1 : 1;
    std::vector<std::vector<int>> rings;
    std::vector<size_t> stride_of;
    for (size_t s = 1; s <= strides; ++s) {
      std::vector<char> used(n, 0);
      for (size_t start = 0; start < n; ++start) {
        if (used[start]) continue;
        std::vector<int> cycle;
        for (size_t i = start; !used[i]; i = (i + s) % n) {
          used[i] = 1;
          cycle.push_back(m[i]);
        }
        rings.push_back(std::move(cycle));
        stride_of.push_back(s);
      }
    }
    auto bw = rings_bandwidth_gb_s(rings);
    std::vector<double> per_stride(strides + 1, std::numeric_limits<double>::infinity());
    for (size_t r = 0; r < rings.size(); ++r) per_stride[stride_of[r]] = std::min(per_stride[stride_of[r]], bw[r]);
    l.intra_bw_gb_s = std::accumulate(per_stride.begin() + 1, per_stride.end(), 0.0) * intra_.efficiency;
    l.intra_step_us = intra_.latency_us;
    l.intra_efficiency = intra_.efficiency;
    l.intra_tables = tables_;
  }
  if (l.nodes > 1) {
    // Hierarchical algorithms run one cross-node ring per local rank, all at once: the j-th
    // rank of every node forms ring j.
    std::vector<std::vector<int>> rings(size_t(l.ranks_per_node));
    for (const auto& [node, members] : by_node)
      for (size_t j = 0; j < rings.size(); ++j) rings[j].push_back(members[j]);
    // The rings share NICs and the network, so they are routed together; the group moves at
    // the pace of the slowest ring.
    auto bw = rings_bandwidth_gb_s(rings);
    double worst = *std::min_element(bw.begin(), bw.end());
    l.inter_bw_gb_s = worst * inter_.efficiency;
    l.inter_step_us = inter_.latency_us;
  }
  return l;
}

}  // namespace sp
