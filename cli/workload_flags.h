// The workload flags shared by simulate and plan (and the sweep's scenario rows): lengths,
// request count, arrival mode and seed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "planner/plan_file.h"
#include "sim/serving/workload.h"

namespace sp::cli {

struct WorkloadFlags {
  std::string input_len = "1024", output_len = "256";
  int64_t num_requests = 256;
  std::optional<double> request_rate;   // Poisson
  std::optional<int64_t> concurrency;   // closed loop
  std::string trace;
  uint64_t seed = 0;
};

void add_workload_flags(CLI::App* cmd, WorkloadFlags& f);

// Validates the flags (at most one arrival mode, ranges) and builds the spec; InputError names
// the flag.
WorkloadSpec workload_spec(const WorkloadFlags& f);
// The same workload as plan.json records it, and back.
PlanWorkload plan_workload(const WorkloadFlags& f);
WorkloadFlags workload_flags_from_plan(const PlanWorkload& w);

}  // namespace sp::cli
