// One configuration for every traffic mix: a deployment serves more than one mix, so --robust
// checks each candidate any row simulated against every row's workload and keeps the one that
// meets every row's SLOs with the best worst case, where a row's case is the candidate's score
// relative to that row's own best plan (1 = as good as the best plan for that mix).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "planner/search.h"

namespace sp {

struct RobustResult {
  std::optional<size_t> chosen;       // index into candidates
  std::vector<Candidate> candidates;  // every configuration checked
  // For the chosen one (or the closest when none meets every row): one evaluation per row and
  // its score relative to the row's best plan.
  std::vector<Evaluated> per_row;
  std::vector<double> relative;
  double worst_relative = 0;
  std::string reason;                 // why nothing was chosen
};

// The rows must plan the same model on the same hardware and GPUs (only the traffic, SLOs and
// objective may differ); otherwise InputError says which setting differs.
RobustResult robust_choose(const std::vector<PlanRequest>& rows, const std::vector<PlanResult>& results, int threads);

}  // namespace sp
