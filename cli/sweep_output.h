// The sweep command's result: one row per scenario row with its best plan, as JSON (which
// shard outputs carry and --merge joins), a table and CSV, both printed from the JSON so a
// merged result prints like a single run's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/plan_output.h"
#include "planner/robust.h"

namespace sp::cli {

struct SweepRow {
  int64_t index = 0;
  std::string name;
  nlohmann::json settings;
  PlanContext ctx;
  PlanResult result;
};

struct SweepRun {
  std::string name, digest;
  int64_t total_rows = 0;
  int shard_index = 0, shard_count = 1;
  std::vector<SweepRow> rows;
  bool robust_asked = false;
  RobustResult robust;
  double wall_s = 0;
};

RobustResult robust_choice(const SweepRun& run, int threads);
nlohmann::json sweep_json(const SweepRun& run);
// Joins shard outputs of one sweep; InputError when they are of different sweeps, overlap or
// leave rows out.
nlohmann::json sweep_merge(const std::vector<nlohmann::json>& parts, const std::vector<std::string>& paths);
std::string sweep_failure(const nlohmann::json& doc);  // "" when every row has a plan
std::string sweep_table(const nlohmann::json& doc);
std::string sweep_csv(const nlohmann::json& doc);

}  // namespace sp::cli
