#include "sim/cost/collective.h"

#include <algorithm>
#include <cmath>

namespace sp {

namespace {

struct Ring {
  int n;           // ranks in the ring
  double bw_Bps;   // per-rank bandwidth, bytes/s
  double step_s;   // latency per step
};

// Ring phases without the launch cost; S in nccl-tests convention for the phase.
double ring_allreduce(const Ring& r, double S) {
  if (r.n < 2) return 0;
  return 2.0 * (r.n - 1) * r.step_s + 2.0 * (r.n - 1) / r.n * S / r.bw_Bps;
}
double ring_gather(const Ring& r, double S) {  // allgather, reducescatter, alltoall
  if (r.n < 2) return 0;
  return (r.n - 1) * r.step_s + double(r.n - 1) / r.n * S / r.bw_Bps;
}

// NCCL's ring across nodes. NCCL does not compose a hierarchy for allreduce, allgather or
// reduce-scatter: it builds rings that visit every rank, the ranks of one node consecutively,
// one ring (channel) per NIC or more (NVIDIA/nccl src/graph/search.cc, rings.cc). Two
// consequences (docs/cost-model.md, "Across nodes"):
//  - latency: a chunk travels the whole ring, hop after hop, so the latency term is the sum
//    of its hops' latencies: per lap, n - N NVLink hops and N network hops, of which a ring
//    allreduce makes two laps less one hop each way (2(n-1) steps, 2(N-1) of them across
//    the network), as NCCL's own model counts them (src/graph/tuning.cc: (nsteps -
//    nInterSteps) * intraLat + nInterSteps * interLat);
//  - bandwidth: each ring enters and leaves every node once, through one NIC, and the node's
//    rings together use all its rails, so the rings' busbw is the node's network bandwidth
//    (g ranks x their rail's share), unless the NVLink ring inside the node, which every ring
//    crosses, is slower.
struct FlatRing {
  int n;          // ranks
  int nodes;      // N
  double bw_Bps;  // per-rank ring bandwidth (busbw), the slower of the node's network and NVLink
  double intra_step_s, inter_step_s;
};

FlatRing flat_ring(const GroupLinks& l) {
  const double network = double(l.ranks_per_node) * l.inter_bw_gb_s;
  const double nvlink = l.ranks_per_node > 1 ? l.intra_bw_gb_s : network;
  return FlatRing{l.ranks, l.nodes, std::min(network, nvlink) * 1e9, l.intra_step_us * 1e-6, l.inter_step_us * 1e-6};
}

// NCCL multiplies the latency of its Simple-protocol ring allreduce across nodes by 1.4 on
// compute capability >= 8.0 (1.9 before) once each rank and channel moves at least 64 bytes,
// the "plateau effect of ring" (NVIDIA/nccl src/graph/tuning.cc, ncclTopoGetAlgoTime, 2.19 to
// 2.27): the pipeline of chunks stalls on the slowest (network) hop. Every bundled system is
// 8.0 or newer. The channel count is not modelled; 16 channels (NCCL's usual count with 8 NICs
// and NVSwitch, assumption) put the threshold at 1 KiB per rank.
constexpr double kRingPlateau = 1.4;
constexpr double kRingPlateauMinBytesPerRank = 64.0 * 16;

double flat_ring_allreduce(const FlatRing& r, double S) {
  const double hops = 2.0 * (r.n - r.nodes) * r.intra_step_s + 2.0 * (r.nodes - 1) * r.inter_step_s;
  const double plateau = S / r.n >= kRingPlateauMinBytesPerRank ? kRingPlateau : 1.0;
  return plateau * hops + 2.0 * (r.n - 1) / r.n * S / r.bw_Bps;
}
// NCCL's other allreduce across nodes: two binary trees over the nodes, each carrying half the
// data, with a chain through the ranks of each node (src/graph/trees.cc). Its latency is the
// depth, twice (reduce up, broadcast down): 2 [(g-1) NVLink hops + ceil(log2 N) network hops],
// NCCL's own count (tuning.cc: 2 * ((nRanks/nNodes - 1) * intraLat + log2i(nNodes) * interLat)).
// Its bandwidth: a node that is inner in one tree and a leaf in the other sends (and receives)
// 2S over its NICs; with 2 nodes each node is the other's only peer and moves S, which is why
// nccl-tests' busbw exceeds the NICs' rate on 2 nodes. Each GPU of the chain forwards up and
// down in both trees, 2S over NVLink.
double tree_allreduce(const GroupLinks& l, double S) {
  const int chain = (l.ranks + l.nodes - 1) / l.nodes;  // ranks per node, as NCCL counts them
  const double depth = std::ceil(std::log2(double(l.nodes)));
  const double latency = 2.0 * ((chain - 1) * l.intra_step_us + depth * l.inter_step_us) * 1e-6;
  const double node_network_Bps = double(l.ranks_per_node) * l.inter_bw_gb_s * 1e9;
  const double network_bytes = l.nodes == 2 ? S : 2.0 * S;
  double time = network_bytes / node_network_Bps;
  if (chain > 1 && l.intra_bw_gb_s > 0) time = std::max(time, 2.0 * S / (l.intra_bw_gb_s * 1e9));
  return latency + time;
}

// Allgather / reduce-scatter: one lap, n-1 steps of which N-1 cross the network; NCCL applies
// no plateau factor to them.
double flat_ring_gather(const FlatRing& r, double S) {
  const double hops = double(r.n - r.nodes) * r.intra_step_s + double(r.nodes - 1) * r.inter_step_s;
  return hops + double(r.n - 1) / r.n * S / r.bw_Bps;
}

const ShapeTable* intra_table(Collective op, const CollectiveTables& t) {
  switch (op) {
    case Collective::allreduce: return &t.allreduce;
    case Collective::allgather:
    case Collective::reducescatter: return &t.allgather;
    case Collective::alltoall: return &t.alltoall;
    case Collective::sendrecv: return nullptr;
  }
  return nullptr;
}

}  // namespace

std::string_view collective_name(Collective op) {
  switch (op) {
    case Collective::allreduce: return "allreduce";
    case Collective::allgather: return "allgather";
    case Collective::reducescatter: return "reducescatter";
    case Collective::alltoall: return "alltoall";
    case Collective::sendrecv: return "sendrecv";
  }
  return "?";
}

std::optional<Collective> collective_parse(std::string_view s) {
  for (auto op : {Collective::allreduce, Collective::allgather, Collective::reducescatter, Collective::alltoall,
                  Collective::sendrecv}) {
    if (collective_name(op) == s) return op;
  }
  return std::nullopt;
}

double bus_bandwidth_factor(Collective op, int n) {
  if (n < 2) return 1.0;
  switch (op) {
    case Collective::allreduce: return 2.0 * (n - 1) / n;
    case Collective::allgather:
    case Collective::reducescatter:
    case Collective::alltoall: return double(n - 1) / n;
    case Collective::sendrecv: return 1.0;
  }
  return 1.0;
}

namespace {
double collective_time_with(Collective op, double S, const GroupLinks& l, const ShapeTable* t);
}  // namespace

double engine_collective_time_s(Collective op, double S, const GroupLinks& l) {
  const ShapeTable& e = l.intra_tables.engine_allreduce;
  return collective_time_with(op, S, l, op == Collective::allreduce && !e.empty() ? &e : intra_table(op, l.intra_tables));
}

double collective_time_s(Collective op, double S, const GroupLinks& l) {
  return collective_time_with(op, S, l, intra_table(op, l.intra_tables));
}

namespace {

// `t`: the fitted intra-node efficiency table to use, or null / empty for the constant.
double collective_time_with(Collective op, double S, const GroupLinks& l, const ShapeTable* t) {
  if (l.ranks < 2) return 0.0;
  const double base = l.base_us * 1e-6;
  const Ring intra{l.ranks_per_node, l.intra_bw_gb_s * 1e9, l.intra_step_us * 1e-6};
  const Ring inter{l.nodes, l.inter_bw_gb_s * 1e9, l.inter_step_us * 1e-6};
  if (!l.crosses_nodes()) {
    // A fitted table gives the fraction of the ring's time at line rate (latencies included)
    // that the collective attains at this size; it replaces the constant protocol efficiency.
    const bool fitted = t != nullptr && !t->empty();
    const Ring all{l.ranks, fitted ? intra.bw_Bps / l.intra_efficiency : intra.bw_Bps, intra.step_s};
    double time = 0;
    switch (op) {
      case Collective::allreduce: time = base + ring_allreduce(all, S); break;
      case Collective::allgather:
      case Collective::reducescatter:
      case Collective::alltoall: time = base + ring_gather(all, S); break;
      case Collective::sendrecv: time = base + all.step_s + S / all.bw_Bps; break;
    }
    return fitted ? time / t->at(S, l.ranks) : time;
  }
  const int g = l.ranks_per_node;
  switch (op) {
    case Collective::allreduce:
      // NCCL picks, per size, the algorithm its model finds faster (tuning.cc); so do we.
      // Protocols (LL, LL128, Simple) are not told apart: the profile's per-hop latencies are
      // fitted to small messages (LL) and its bandwidths to large ones (Simple).
      return base + std::min(flat_ring_allreduce(flat_ring(l), S), tree_allreduce(l, S));
    case Collective::allgather:
    case Collective::reducescatter: return base + flat_ring_gather(flat_ring(l), S);
    case Collective::alltoall: {
      // Of each rank's S bytes, (g-1)/n stay in the node and (n-g)/n cross the network; the two
      // proceed in parallel.
      const double local = g > 1 ? double(g - 1) / l.ranks * S / intra.bw_Bps : 0.0;
      const double remote = double(l.ranks - g) / l.ranks * S / inter.bw_Bps;
      return base + (l.ranks - 1) * std::max(intra.step_s, inter.step_s) + std::max(local, remote);
    }
    case Collective::sendrecv: return base + inter.step_s + S / inter.bw_Bps;
  }
  return 0.0;
}

}  // namespace

}  // namespace sp
