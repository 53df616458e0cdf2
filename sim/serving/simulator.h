// Discrete-event simulation of serving: requests arrive, a router spreads them over DP
// replicas, each replica's scheduler forms batches (continuous batching with chunked prefill
// and paged KV, or static batches), and each batch flows through the PP stages, occupying
// each stage (its TP group) for the cost model's time and each stage-to-stage link for the
// hand-off. Bubbles, queueing and preemptions emerge from the simulation; none is a formula.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/cost/cost_model.h"
#include "sim/metrics/summary.h"
#include "sim/serving/workload.h"

namespace sp {

enum class SchedulerKind { continuous, static_batch };
enum class RouterKind { round_robin, least_outstanding };

struct SchedulerConfig {
  SchedulerKind kind = SchedulerKind::continuous;
  int64_t max_num_seqs = 256;             // sequences per batch
  int64_t max_num_batched_tokens = 8192;  // new tokens per batch (continuous)
  bool chunked_prefill = true;            // continuous: split prompts over iterations
  // continuous: admit a request only when the KV of its whole input and output fits, and hold
  // it from admission, so nothing is ever preempted (TensorRT-LLM's GUARANTEED_NO_EVICT);
  // false: blocks as tokens arrive, preempting by recompute when they run out (vLLM).
  bool reserve_full_kv = false;
  int microbatches = 0;                   // batches in flight per replica; 0 = one per PP stage
  int64_t static_batch_size = 0;          // static: requests per batch; 0 = max_num_seqs
};

// Per-request latency limits for goodput; 0 = no limit on that metric.
struct SloTargets {
  double ttft_s = 0;
  double tpot_s = 0;
  double e2e_s = 0;
  bool any() const { return ttft_s > 0 || tpot_s > 0 || e2e_s > 0; }
  // Whether one request with these latencies meets every limit.
  bool met(double ttft, double tpot, double e2e) const {
    return (ttft_s <= 0 || ttft <= ttft_s) && (tpot_s <= 0 || tpot <= tpot_s) && (e2e_s <= 0 || e2e <= e2e_s);
  }
};

struct SimConfig {
  SchedulerConfig scheduler;
  SloTargets slo;                         // for goodput
  RouterKind router = RouterKind::round_robin;
  int replicas = 1;
  int tp = 1;                             // GPUs per stage (for per-GPU figures and timeline tracks)
  int64_t kv_capacity_tokens = 0;         // per replica, from the memory model
  int64_t max_model_len = 0;              // longest request accepted (input + output)
  int64_t concurrency = 0;                // closed loop: requests outstanding at once; 0 = open loop
  bool timeline = false;                  // record a Chrome trace
  int64_t timeline_max_events = 2'000'000;
  // Bound on the steps of one run, so a workload too large for the time a user has is refused
  // (up front when even its lower bound exceeds it, else when reached) instead of running for
  // hours; 0 = no bound. Steps count the simulator's work: kStepsPerEvent per event plus one per
  // sequence per iteration, weights under which the run time is about proportional to steps
  // (docs/performance.md). Steps, not seconds: a bound in wall time would make the outcome
  // depend on the machine.
  uint64_t max_steps = 0;
  std::function<void(double)> progress;   // called with the fraction done, now and then
};

// An event (heap operations, a stage's cost) costs about ten times a sequence's part in an
// iteration (a few comparisons and additions), measured in docs/performance.md.
inline constexpr uint64_t kStepsPerEvent = 10;

struct Rejection {
  int64_t request = 0;
  std::string reason;
};

// One slice of the timeline: on a GPU (tid = rank in its replica) or a link track.
struct TraceSlice {
  int32_t replica = 0;
  int32_t track = 0;       // < 1e6: GPU rank; 1e6 + s: PP link s -> s+1; 2e6 + s: TP links of stage s
  int64_t start_ns = 0;
  int64_t dur_ns = 0;
  const char* name = "";   // static strings only
  int64_t batch = 0;
  int32_t tokens = 0;
};

struct SimMetrics {
  Summary ttft_s, tpot_s, itl_s, e2e_s;
  double throughput_output_tok_s = 0;
  double throughput_total_tok_s = 0;
  double requests_per_s = 0;
  int64_t within_slo = 0;               // finished requests that met every SLO limit
  double goodput_rps = 0;               // within_slo / makespan
  double makespan_s = 0;
  double gpu_busy_fraction = 0;
  double bubble_fraction = 0;
  int64_t preemptions = 0;
  double peak_kv_fraction = 0;
  int64_t finished = 0;
  int64_t iterations = 0;
  // Collective buffer bytes summed over every rank; p2p counts each TP rank's hand-off.
  double allreduce_bytes = 0, allgather_bytes = 0, all2all_bytes = 0, p2p_bytes = 0;
  double comm_time_fraction = 0;        // of GPU busy time
};

struct SimResult {
  SimMetrics metrics;
  std::vector<Rejection> rejected;      // requests that can never fit, with why
  uint64_t events = 0;
  uint64_t steps = 0;                   // kStepsPerEvent * events + sequence-iterations (SimConfig::max_steps)
  std::vector<TraceSlice> timeline;
  bool timeline_truncated = false;
};

// A lower bound on the steps a run needs: every output token of a request that is not rejected
// is one sequence's part in one iteration, every stage of every iteration is an event, and an
// iteration emits at most one token for each of at most max_num_seqs sequences (at most
// `concurrency` in a closed loop), so iterations >= output tokens / that batch.
uint64_t simulate_min_steps(const SimConfig& cfg, int num_stages, const std::vector<Request>& requests);

// Plays `requests` (sorted by arrival) through the deployment priced by `coster`. Throws
// InputError, naming --max-steps, when cfg.max_steps > 0 and the run would need more steps:
// before starting if simulate_min_steps says so, else when the bound is reached (no partial result).
SimResult simulate(const IterationCoster& coster, const SimConfig& cfg, const std::vector<Request>& requests);

}  // namespace sp
