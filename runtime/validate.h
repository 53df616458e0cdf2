// `shardplan validate`: runs a plan on the CPU runtime (mpirun + shardplan-run), prices the
// same plan, batch and profile with the cost model, and compares them.
//
// The prediction replays the runtime's schedule exactly: one prefill of B sequences of S tokens
// in m microbatches through the p stages (GPipe: a stage starts microbatch i when it has
// finished i-1 and received i), then D decode steps, each priced at its own context and each
// started after a barrier, as the runtime does. Stage times come from CostModel::stage_time
// (no engine overheads: the runtime has no serving engine) and hand-offs from handoff_time_s.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "planner/plan_file.h"
#include "runtime/executor.h"
#include "sim/cost/cost_model.h"

namespace sp {

// Predicted seconds of one phase (prefill, or one decode step) of the runtime's schedule.
struct PhasePrediction {
  double time_s = 0;                 // barrier to the last stage's last microbatch
  std::vector<double> stage_busy_s;  // per stage: the sum of its ops' times
  double allreduce_s = 0;            // per rank of stage 0: time in AllReduce ops
};

PhasePrediction predict_phase(const CostModel& cm, const BatchShape& microbatch, int microbatches);

struct ValidateOptions {
  PlanFile plan;
  std::string profile;  // system profile for the prediction; empty = the plan's hardware
  int np = 0;           // 0 = the plan's rank count
  RunShape shape;       // microbatches 0 = the plan's (else one per stage)
  int warmup = 1, iters = 3;
  uint64_t seed = 0;
  double timeout_s = 600;
  double max_error_pct = 15;  // the verdict's threshold for prefill and decode step
  bool trace = false;
  std::filesystem::path out_dir = "validation";
};

struct ValidationRow {
  std::string metric;  // e.g. "prefill_ms"
  double predicted = 0, measured = 0;
  double error_pct() const { return measured != 0 ? (predicted - measured) / measured * 100 : 0; }
};

// One op name of one stage in one phase, summed over its layers and microbatches: where a
// phase's error comes from. Measured is the mean over the stage's ranks of their per-phase medians.
struct OpComparison {
  std::string phase;  // "prefill" or "decode_step"
  int stage = 0;
  std::string op;     // the cost model's op name, or a runtime-only one (pp_send, sampler)
  double predicted_ms = 0, measured_ms = 0;
  // Percent, as ValidationRow's; none when either side is zero (an op the runtime has and the
  // cost model does not price, or one that never ran).
  std::optional<double> error_pct() const {
    if (predicted_ms <= 0 || measured_ms <= 0) return std::nullopt;
    return (predicted_ms - measured_ms) / measured_ms * 100;
  }
};

struct ValidationReport {
  std::string command;          // the mpirun command line that produced the measurements
  nlohmann::json measurement;   // shardplan-run's JSON
  std::vector<ValidationRow> rows;
  std::vector<OpComparison> ops;
  bool passed = false;
  std::string verdict;
};

// Writes out_dir/plan.json, runs the job (measurement in out_dir/measurement.json), predicts and
// compares. Throws InputError for a bad plan or profile, and when the job fails (with the
// runtime's first error line).
ValidationReport validate_cpu(const ValidateOptions& o);

nlohmann::json validation_to_json(const ValidationReport& r, const ValidateOptions& o);
std::string validation_to_markdown(const ValidationReport& r, const ValidateOptions& o);

}  // namespace sp
