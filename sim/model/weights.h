// The weight inventory of a model: every tensor of a layer with its size and how tensor and
// expert parallelism shard it. Parameter counts, weight memory per GPU and weight bytes read
// per iteration all derive from this one list, so they cannot drift apart.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/model/model_config.h"

namespace sp {

// How a tensor is divided over the GPUs of a tensor-parallel group (degree t) and an
// expert-parallel group (degree ep).
enum class Shard {
  replicated,  // every rank holds all of it: norms, router, MLA down-projections
  tp,          // split t ways (Megatron column/row split)
  tp_kv,       // K/V projections: ceil(k/t) of the k KV heads per rank (replicated when t > k)
  expert,      // routed experts: 1/max(t, ep) of them per rank
  vocab,       // embedding and LM head, vocab-parallel over t
};

struct WeightTensor {
  std::string_view name;   // e.g. "mlp.gate_up"
  int64_t params;          // element count of the whole (unsharded) tensor
  Shard shard;
  bool quantized;          // stored at the weight precision (GEMM weights); else kept at bf16
};

// Tensors of decoder layer `layer` (0-based); dense and MoE layers differ.
std::vector<WeightTensor> layer_weights(const ModelConfig& m, int layer);
// Input embedding (first PP stage).
std::vector<WeightTensor> embedding_weights(const ModelConfig& m);
// Final norm and LM head (last PP stage); the head is absent when tied to the embedding.
std::vector<WeightTensor> head_weights(const ModelConfig& m);

// Parameters of the whole model (MTP modules excluded).
int64_t model_param_count(const ModelConfig& m);
// Parameters touched by one token: shared weights plus top-k experts (for MoE FLOP counts).
int64_t model_active_param_count(const ModelConfig& m);

// Fraction of a tensor held by one rank.
double shard_fraction(Shard s, const ModelConfig& m, int tp, int ep);

}  // namespace sp
