// Collective communication time, NCCL-like alpha-beta over the topology (docs/cost-model.md).
//
// Pure functions of (operation, bytes, GroupLinks): no I/O, no globals. Byte counts follow
// nccl-tests: S is the per-rank buffer for allreduce, the total output for allgather, the
// total input for reducescatter, the per-rank send buffer for alltoall and sendrecv.
#pragma once

#include <optional>
#include <string_view>

#include "sim/hardware/topology.h"

namespace sp {

enum class Collective { allreduce, allgather, reducescatter, alltoall, sendrecv };

std::string_view collective_name(Collective op);
std::optional<Collective> collective_parse(std::string_view s);

// Seconds for one collective of `bytes` over the group. One rank costs nothing.
//   single node, ring:  allreduce     base + 2(n-1)*step + 2(n-1)/n * S / B
//                       allgather/rs  base +  (n-1)*step +  (n-1)/n * S / B
//                       alltoall      base +  (n-1)*step +  (n-1)/n * S / B
//                       sendrecv      base +       step  +          S / B
//   across nodes (g ranks per node, N nodes, a = intra-node step, e = network step):
//     allreduce, allgather and reduce-scatter run NCCL's ring over all n ranks; its latency is
//     the sum of a chunk's hops, its bandwidth the slower of the node's network (g rails) and
//     the NVLink ring:
//       allreduce     base + p * [2(n-N)*a + 2(N-1)*e] + 2(n-1)/n * S / min(g*B_e, B_i)
//       allgather/rs  base +      (n-N)*a +  (N-1)*e  +  (n-1)/n * S / min(g*B_e, B_i)
//     p = 1.4, NCCL's "plateau" factor for its Simple ring allreduce across nodes; allreduce
//     takes the faster of that ring and NCCL's double binary tree over the nodes:
//       tree          base + 2[(g-1)*a + ceil(log2 N)*e] + max(k*S/(g*B_e), 2S/B_i), k = 1 if N = 2 else 2
//     alltoall and sendrecv keep their per-rail forms (docs/cost-model.md)
double collective_time_s(Collective op, double bytes, const GroupLinks& links);
// The same collective as the serving engine runs it: a TP allreduce inside a node uses the
// system's `engine_allreduce` table where present (the engine's own kernels), else NCCL's.
double engine_collective_time_s(Collective op, double bytes, const GroupLinks& links);

// nccl-tests bus bandwidth factor: busbw = algbw * factor.
double bus_bandwidth_factor(Collective op, int ranks);

}  // namespace sp
