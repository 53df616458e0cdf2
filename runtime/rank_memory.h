// Bytes one rank of the runtime allocates for a run, computed before anything is allocated.
//
// The runtime is fp32 and materialises whole tensors, so its needs are exact counts of floats:
// the rank's weight shard, its KV cache for B sequences of S + D tokens, the per-microbatch
// activation buffers of the executor, the logits it keeps for the numerics check and, on the
// checking rank, the unsharded reference (every weight of the model on one rank). This is the
// runtime's own footprint, not the cost model's (bf16, paged KV, engine workspace): it decides
// whether a CPU run fits the host, so a plan that cannot fit is refused before the first byte
// is allocated (and before minutes of weight generation), with the numbers.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/executor.h"

namespace sp {

struct RankMemory {
  int64_t weights = 0;      // the rank's weight shard
  int64_t kv_cache = 0;     // K and V for B sequences x (S + D) positions, the stage's layers
  int64_t activations = 0;  // executor buffers at the largest microbatch (prefill), logits
  int64_t reference = 0;    // --check on the checking rank: the unsharded model, cache and logits
  int64_t total() const { return weights + kv_cache + activations + reference; }
};

// `checker`: this rank recomputes the unsharded reference (shardplan-run --check, last stage of
// replica 0, TP rank 0). Throws InputError when the model cannot be split as the config says.
RankMemory rank_memory(const ModelConfig& m, const ParallelConfig& pc, RankPosition pos, const RunShape& shape,
                       bool checker);

// The floats weights_materialise allocates for one rank (tests compare it with the real thing).
int64_t rank_weight_floats(const ModelConfig& m, const RankShape& rs, int num_layers, bool first_stage,
                           bool last_stage);

// "1.23 GiB (weights 0.50, KV cache 0.25, activations 0.48)" for messages.
std::string rank_memory_text(const RankMemory& r);

}  // namespace sp
