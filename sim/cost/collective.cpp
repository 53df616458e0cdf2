#include "sim/cost/collective.h"

#include <algorithm>

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

double collective_time_s(Collective op, double S, const GroupLinks& l) {
  if (l.ranks < 2) return 0.0;
  const double base = l.base_us * 1e-6;
  const Ring intra{l.ranks_per_node, l.intra_bw_gb_s * 1e9, l.intra_step_us * 1e-6};
  const Ring inter{l.nodes, l.inter_bw_gb_s * 1e9, l.inter_step_us * 1e-6};
  if (!l.crosses_nodes()) {
    // A fitted efficiency by size and ranks replaces the constant protocol efficiency.
    const ShapeTable* t = intra_table(op, l.intra_tables);
    const double bw = t == nullptr || t->empty() ? intra.bw_Bps : intra.bw_Bps / l.intra_efficiency * t->at(S, l.ranks);
    const Ring all{l.ranks, bw, intra.step_s};
    switch (op) {
      case Collective::allreduce: return base + ring_allreduce(all, S);
      case Collective::allgather:
      case Collective::reducescatter:
      case Collective::alltoall: return base + ring_gather(all, S);
      case Collective::sendrecv: return base + all.step_s + S / all.bw_Bps;
    }
  }
  const int g = l.ranks_per_node;
  switch (op) {
    case Collective::allreduce:
      // Each local rank reduces its 1/g slice across nodes on its own rail.
      return base + ring_gather(intra, S) + ring_allreduce(inter, S / g) + ring_gather(intra, S);
    case Collective::allgather:
    case Collective::reducescatter:
      // Each rail first gathers its ranks' chunks across nodes (output S/g per rank), then
      // the node's g ranks exchange those blocks (output S).
      return base + ring_gather(inter, S / g) + ring_gather(intra, S);
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

}  // namespace sp
