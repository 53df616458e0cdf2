#include "sim/parallel/parallel_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/common/error.h"

namespace sp {

bool tp_divides_heads(const ModelConfig& m, int tp) {
  if (tp < 1 || m.num_heads % tp != 0) return false;
  if (m.is_mla()) return true;  // MLA's latent KV is replicated, not split by head
  return m.num_kv_heads % tp == 0 || tp % m.num_kv_heads == 0;
}

std::vector<int> valid_tp_degrees(const ModelConfig& m, int max_tp) {
  std::vector<int> v;
  for (int t = 1; t <= max_tp; ++t)
    if (tp_divides_heads(m, t)) v.push_back(t);
  return v;
}

void parallel_validate(const ParallelConfig& pc, const ModelConfig& m, const Cluster& c) {
  constexpr int kMaxDegree = 1 << 20;
  for (auto [flag, v] : {std::pair{"--tp", pc.tp}, {"--pp", pc.pp}, {"--dp", pc.dp}, {"--ep", pc.ep}}) {
    if (v < 1 || v > kMaxDegree) throw InputError(fmt::format("{}: {} is out of range (use 1 to {})", flag, v, kMaxDegree));
  }
  if (!tp_divides_heads(m, pc.tp)) {
    throw InputError(fmt::format(
        "--tp: {} does not divide model '{}' ({} attention heads, {} KV heads); valid degrees up to {}: {}", pc.tp,
        m.name, m.num_heads, m.num_kv_heads, c.total_gpus(), fmt::join(valid_tp_degrees(m, c.total_gpus()), ", ")));
  }
  if (pc.pp > m.num_layers) {
    throw InputError(fmt::format("--pp: {} stages exceed the {} layers of '{}'; use --pp 1 to {}", pc.pp, m.num_layers,
                                 m.name, m.num_layers));
  }
  int64_t gpus = int64_t(pc.tp) * pc.pp * pc.dp;
  if (gpus > c.total_gpus()) {
    throw InputError(fmt::format(
        "tp*pp*dp = {}*{}*{} = {} GPUs, but {} node(s) of {} have {}; lower the degrees or raise --nodes", pc.tp, pc.pp,
        pc.dp, gpus, c.nodes, c.system.name, c.total_gpus()));
  }
  if (pc.ep > 1) {
    if (!m.is_moe()) {
      throw InputError(fmt::format("--ep: model '{}' has no experts; use --ep 1", m.name));
    }
    const int tp_dp = pc.tp * pc.dp;
    bool nests = pc.tp % pc.ep == 0 || pc.ep % pc.tp == 0;
    if (tp_dp % pc.ep != 0 || !nests) {
      throw InputError(fmt::format(
          "--ep: {} must divide tp*dp = {} and either divide tp ({}) or be a multiple of it", pc.ep, tp_dp, pc.tp));
    }
    if (m.moe.num_experts % pc.ep != 0) {
      throw InputError(fmt::format("--ep: {} does not divide the {} experts of '{}'", pc.ep, m.moe.num_experts, m.name));
    }
  }
}

std::vector<int> stage_layer_counts(int num_layers, int pp) {
  SP_ASSERT(pp >= 1 && pp <= num_layers, "stage_layer_counts: pp out of range");
  std::vector<int> n(size_t(pp), num_layers / pp);
  // extra < pp, so stages pp-2 down to pp-1-extra >= 0 take one more layer each.
  const int extra = num_layers % pp;
  for (int i = 0; i < extra; ++i) n[size_t(pp - 2 - i)] += 1;
  return n;
}

std::vector<int> stage_first_layers(int num_layers, int pp) {
  auto counts = stage_layer_counts(num_layers, pp);
  std::vector<int> first(counts.size(), 0);
  for (size_t s = 1; s < counts.size(); ++s) first[s] = first[s - 1] + counts[s - 1];
  return first;
}

std::vector<int> tp_group_gpus(const ParallelConfig& pc, int replica, int stage) {
  std::vector<int> g;
  for (int i = 0; i < pc.tp; ++i) g.push_back(pc.rank(replica, stage, i));
  return g;
}

std::vector<int> ep_group_gpus(const ParallelConfig& pc, int replica, int stage) {
  std::vector<int> g;
  if (pc.ep <= pc.tp) {
    // EP inside the TP group: ep ranks spread evenly over it (stride t/ep).
    for (int i = 0; i < pc.ep; ++i) g.push_back(pc.rank(replica, stage, i * (pc.tp / pc.ep)));
    return g;
  }
  // EP spans ep/tp replicas: same stage, same TP index set, neighbouring replicas.
  const int replicas = pc.ep / pc.tp;
  const int first = replica / replicas * replicas;
  for (int r = first; r < first + replicas; ++r)
    for (int i = 0; i < pc.tp; ++i) g.push_back(pc.rank(r, stage, i));
  return g;
}

}  // namespace sp
