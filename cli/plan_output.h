// The plan command's JSON document and table, and the plan.json the runtime executes. Each
// simulated candidate is described with the simulate command's document (same keys), plus
// what the planner decided from it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/workload_flags.h"
#include "planner/launch.h"
#include "planner/search.h"

namespace sp::cli {

// What the user asked for, as spelled, so documents and plan.json can name it.
struct PlanContext {
  std::string model_arg, hardware_arg;
  std::string dtype = "bf16", kv_dtype = "bf16";
  Engine engine = Engine::vllm;
  WorkloadFlags workload;
  PlanRequest request;
  std::string price_source;  // where gpu_hour_usd came from
  int top = 8;               // ranked alternatives shown
};

nlohmann::json evaluated_json(const PlanContext& ctx, const PlanResult& r, const Evaluated& e);
PlanFile plan_file_of(const PlanContext& ctx, const PlanResult& r, const Evaluated& e);
nlohmann::json plan_result_json(const PlanContext& ctx, const PlanResult& r);
std::string plan_table(const PlanContext& ctx, const PlanResult& r);

// One line saying why nothing was recommended (fits nowhere, or every plan misses an SLO).
std::string plan_failure_reason(const PlanResult& r);

}  // namespace sp::cli
