// How a model is split over GPUs, and where each rank sits.
//
// Rank order (TP innermost, so TP groups pack inside a node first):
//   rank = replica * (pp * tp) + stage * tp + tp_index,   GPU id = rank.
#pragma once

#include <string>
#include <vector>

#include "sim/hardware/system_profile.h"
#include "sim/model/model_config.h"

namespace sp {

struct ParallelConfig {
  int tp = 1;  // tensor parallel degree t
  int pp = 1;  // pipeline stages p
  int dp = 1;  // replicas
  int ep = 1;  // expert parallel degree (MoE only); experts are split max(t, ep) ways

  int gpus() const { return tp * pp * dp; }
  int gpus_per_replica() const { return tp * pp; }
  int rank(int replica, int stage, int tp_index) const { return replica * tp * pp + stage * tp + tp_index; }
};

// vLLM's rule: heads % t == 0 and (kv_heads % t == 0 or t % kv_heads == 0).
bool tp_divides_heads(const ModelConfig& m, int tp);
std::vector<int> valid_tp_degrees(const ModelConfig& m, int max_tp);

// Throws InputError with the valid choices when the split cannot run this model on this cluster.
void parallel_validate(const ParallelConfig& pc, const ModelConfig& m, const Cluster& c);

// Decoder layers per stage: balanced; the remainder goes to the stages before the last, which
// already carries the LM head (as vLLM does).
std::vector<int> stage_layer_counts(int num_layers, int pp);
// First layer index of each stage.
std::vector<int> stage_first_layers(int num_layers, int pp);

// GPU ids of one TP group, in ring order.
std::vector<int> tp_group_gpus(const ParallelConfig& pc, int replica, int stage);
// GPU ids of the expert-parallel group holding rank (replica, stage, 0)'s experts.
std::vector<int> ep_group_gpus(const ParallelConfig& pc, int replica, int stage);

}  // namespace sp
