// The planner's search: every (tp, pp, dp, ep) split of the GPUs with scheduler knobs from a
// small grid, checked for feasibility (each rejection keeps its reason), ranked by the
// analytic estimate, and the top candidates simulated with the workload. The recommendation
// comes from simulated numbers only.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "planner/objective.h"
#include "sim/common/dtype.h"
#include "sim/cost/estimate.h"
#include "sim/cost/memory.h"
#include "sim/hardware/system_profile.h"
#include "sim/model/model_config.h"
#include "sim/parallel/parallel_config.h"
#include "sim/serving/engine_preset.h"
#include "sim/serving/simulator.h"
#include "sim/serving/workload.h"

namespace sp {

// The scheduler knobs searched when the user gives none: 64 and 256 sequences, 2048 and 8192
// tokens, each with the engine preset's own default added (sorted, no repeats), so the engine
// as shipped is always among the candidates.
std::vector<int64_t> default_max_num_seqs_grid(const EnginePreset& engine);
std::vector<int64_t> default_max_num_batched_tokens_grid(const EnginePreset& engine);

struct PlanRequest {
  ModelConfig model;
  Cluster cluster;
  Precision precision;
  EnginePreset engine;                // the serving engine: per-iteration costs, KV admission, memory share
  int gpus = 0;                       // GPUs to use; 0 = every GPU of the cluster
  bool allow_fewer_gpus = false;      // also consider 1 .. gpus-1 GPUs
  bool allow_cross_node_tp = false;   // otherwise a TP group spanning nodes is rejected as slow
  int64_t max_model_len = 0;          // 0 = the longest request of the workload
  // Fraction of each GPU's memory the engine takes; 0 = the engine's own (vLLM 0.9, SGLang 0.88;
  // TensorRT-LLM gives the KV cache 0.9 of what weights, activations and runtime leave, so its
  // share depends on the split).
  double gpu_memory_utilization = 0;
  // Scheduler knobs searched; each list non-empty (front ends use the default_*_grid functions).
  std::vector<int64_t> max_num_seqs_grid = {64, 256};
  std::vector<int64_t> max_num_batched_tokens_grid = {2048, 8192};
  // Batches in flight per replica for pp > 1, as multiples of pp (1 = one per stage).
  std::vector<int> microbatch_multiples = {1, 2};
  WorkloadSpec workload;              // arrival, lengths, seed
  SloTargets slo;
  Objective objective = Objective::throughput;
  double gpu_hour_usd = 0;            // cost objective and cost column; 0 = no price
  int simulate_top = 8;               // candidates that go through the simulator
  // Simulator work allowed per candidate (SimConfig::max_steps): a candidate that would need
  // more (a KV cache that thrashes, say) is reported as such instead of holding up the search.
  uint64_t max_steps_per_candidate = 500'000'000;
  int threads = 2;                    // evaluation threads; results do not depend on it
  std::function<void(double)> progress;  // fraction done; called from the calling thread only
};

struct Candidate {
  ParallelConfig parallel;
  int64_t max_num_seqs = 256;
  int64_t max_num_batched_tokens = 8192;
  int microbatches = 1;               // batches in flight per replica
};

// The memory options a candidate is planned with: its budgets, the planned max_model_len and
// the engine's memory share (see PlanRequest::gpu_memory_utilization).
MemoryOptions memory_options(const PlanRequest& req, const Candidate& c, int64_t max_model_len);

struct Evaluated {
  Candidate c;
  MemoryReport memory;
  bool cross_node_tp = false;
  Estimate estimate;                  // tier 1, at the estimated batch
  int64_t estimate_batch = 0;
  double estimate_score = 0;          // objective from the estimate (higher is better)
  bool estimate_meets_slo = false;
  bool simulated = false;
  SimResult sim;                      // tier 2 (timeline off)
  int64_t requests = 0;
  bool meets_slo = false;
  std::vector<std::string> slo_misses;  // "ttft p99 812 ms > 500 ms"
  double slo_worst_ratio = 0;         // max over limits of achieved / limit (<= 1 when met)
  double throughput_per_gpu = 0;      // output tok/s per GPU (simulated)
  double usd_per_mtok = 0;            // 0 when no price
  double score = 0;                   // objective from the simulation (higher is better)
};

struct Rejected {
  Candidate c;
  std::string kind;    // short group name: "heads", "layers", "memory", "cross-node TP", "experts"
  std::string reason;  // the full sentence
  double missing_gib = 0;  // memory: what the GPU that lacks the most needs freed (MemoryReport)
};

struct PlanResult {
  std::vector<Evaluated> ranked;      // simulated candidates, best first (SLO-meeting first)
  std::optional<size_t> recommended;  // index into ranked: the best that meets every SLO
  std::vector<size_t> pareto;         // indices into ranked: throughput/GPU vs p99 e2e front
  std::vector<Rejected> rejected;
  int64_t candidates = 0, feasible = 0, simulated = 0;
  int64_t max_model_len = 0;
  double wall_s = 0;
};

// Throws InputError for bad requests (no GPUs, empty grids, a workload that cannot be built).
PlanResult plan_search(const PlanRequest& req);

// One given candidate on the request's workload, as plan_search would judge it (for --robust).
// A candidate that is invalid or does not fit comes back unsimulated with the reason in slo_misses.
Evaluated evaluate_candidate(const PlanRequest& req, const Candidate& c);

// A short name of the candidate, unique within a search.
std::string candidate_label(const Candidate& c);  // "tp4 pp2 dp1 ep1 seqs256 tok8192 mb2"

}  // namespace sp
