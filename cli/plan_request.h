// The flags that describe a planning question (model, hardware, traffic, SLOs, objective),
// shared by `plan` and by the rows of a `sweep` scenario, and their translation into the
// planner's request.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/plan_output.h"

namespace sp::cli {

struct PlanFlags {
  std::string model, hardware;
  int nodes = 1;
  int gpus = 0;
  bool allow_fewer_gpus = false, allow_cross_node_tp = false;
  std::string dtype = "bf16", kv_dtype = "bf16";
  int64_t max_model_len = 0;
  double gpu_memory_utilization = 0;  // 0 = the engine's
  // Empty: the default grid (64, 256 and 2048, 8192) plus the engine's own default for the GPU,
  // so the engine as shipped is always among the candidates.
  std::vector<int64_t> max_num_seqs;
  std::vector<int64_t> max_num_batched_tokens;
  WorkloadFlags workload;
  std::string slo;
  std::string objective = "throughput";
  double gpu_hour_usd = 0;
  std::string engine = "vllm";
  int simulate_top = 8;
  int threads = 0;  // 0 = every core
  int top = 8;
  std::string format = "table";
  std::string out;
};

void add_plan_flags(CLI::App* cmd, PlanFlags& f);
// Applies a sweep row's settings (planner/scenario.h keys, already type-checked).
void plan_flags_apply(PlanFlags& f, const nlohmann::json& settings);

// Resolves names, parses SLOs and prices; throws InputError naming the flag.
PlanContext plan_context(const PlanFlags& f);

}  // namespace sp::cli
