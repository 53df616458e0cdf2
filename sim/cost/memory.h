// Memory per GPU: weights of its layers (sharded), activation workspace for the largest
// batch, runtime overhead, and what is left for the KV cache (DESIGN.md, Memory per GPU).
//   capacity = memory * utilization;   kv_cache = capacity - weights - activations - overhead
// so the four parts add up to the capacity whenever the deployment fits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/common/dtype.h"
#include "sim/hardware/system_profile.h"
#include "sim/model/model_config.h"
#include "sim/parallel/parallel_config.h"

namespace sp {

struct MemoryOptions {
  int64_t max_num_batched_tokens = 8192;  // largest iteration, sizes the activation workspace
  int64_t max_num_seqs = 256;             // rows of logits in the largest iteration
  int64_t max_model_len = 0;              // one request of this length must fit; 0 = model's maximum
  double gpu_memory_utilization = 0.9;    // fraction of HBM the engine may use (vLLM's default)
};

inline constexpr int64_t kKvBlockTokens = 16;  // paged KV blocks, as vLLM

struct GpuMemory {
  int rank = 0;
  int stage = 0;
  double weights_bytes = 0;
  double activation_bytes = 0;
  double overhead_bytes = 0;
  double kv_cache_bytes = 0;        // the budget left for KV (0 when nothing is left)
  double capacity_bytes = 0;        // memory * utilization
  double kv_bytes_per_token = 0;    // all layers of the stage
  int64_t kv_capacity_tokens = 0;   // whole blocks of 16 tokens
  double total_bytes() const { return weights_bytes + activation_bytes + overhead_bytes + kv_cache_bytes; }
};

struct MemoryReport {
  std::vector<GpuMemory> per_gpu;   // every rank of one replica (replicas are identical)
  int64_t max_model_len = 0;
  int64_t kv_capacity_tokens = 0;   // of the replica: the tightest stage
  bool fits = false;
  std::string reason;               // why it does not fit, with what to change; empty when it fits
  // What the GPU that lacks the most needs freed for weights, activations, overhead and the KV
  // of one request of max_model_len; 0 when it fits. The reason names that stage and figure.
  double missing_gib = 0;
};

// Bounds of the per-iteration limits and of --max-model-len: 2^30 tokens, far above any engine's.
inline constexpr int64_t kMaxIterationTokens = int64_t(1) << 30;
// Throws InputError naming the flag and its accepted range when a limit of one iteration
// (--max-num-batched-tokens, --max-num-seqs) is outside [1, kMaxIterationTokens].
void iteration_limits_check(int64_t max_num_batched_tokens, int64_t max_num_seqs);

// Throws InputError for invalid options (utilization outside (0, 1], sizes out of range).
MemoryReport memory_plan(const ModelConfig& m, const Cluster& c, const ParallelConfig& pc, const Precision& prec,
                         const MemoryOptions& opt);

inline constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

}  // namespace sp
