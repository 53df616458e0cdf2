// JSON documents and tables of the commands' results. JSON goes to stdout only; tables are
// for people. Keys here are the CLI's contract (see docs/cli.md).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/flags.h"
#include "sim/cost/collective.h"
#include "sim/cost/estimate.h"
#include "sim/cost/memory.h"
#include "sim/serving/simulator.h"

namespace sp::cli {

nlohmann::json config_json(const Deployment& d);
nlohmann::json memory_json(const Deployment& d, const MemoryReport& r);
nlohmann::json estimate_json(const Deployment& d, const Estimate& e, const MemoryReport& r);

std::string memory_table(const Deployment& d, const MemoryReport& r);
std::string estimate_table(const Deployment& d, const Estimate& e, const MemoryReport& r);

struct CollectivePoint {
  double bytes = 0;
  double time_s = 0;
};
nlohmann::json collective_json(const std::string& hardware, int nodes, Collective op, const GroupLinks& l,
                               const std::vector<CollectivePoint>& pts);
std::string collective_table(const std::string& hardware, int nodes, Collective op, const GroupLinks& l,
                             const std::vector<CollectivePoint>& pts);

// What a simulate run was asked for, beyond the deployment.
struct SimulateInfo {
  std::string scheduler;             // as the user spelled it
  SchedulerConfig scheduler_config;
  int64_t requests = 0;
  uint64_t seed = 0;
  double wall_s = 0;                 // measured; the only field that differs between identical runs
};
nlohmann::json simulate_json(const Deployment& d, const SimulateInfo& info, const MemoryReport& mem,
                             const SimResult& res);

// Table of a simulate result from its JSON document (one source for both forms).
std::string simulate_table(const Deployment& d, const nlohmann::json& j);

// Rounds to 6 significant digits so JSON stays readable and byte-stable.
double round6(double x);

}  // namespace sp::cli
