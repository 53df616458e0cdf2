#include "planner/robust.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "planner/parallel_for.h"
#include "sim/common/error.h"

namespace sp {

namespace {

void require_same_deployment(const std::vector<PlanRequest>& rows) {
  const PlanRequest& a = rows.front();
  for (size_t i = 1; i < rows.size(); ++i) {
    const PlanRequest& b = rows[i];
    auto differs = [&](std::string_view what, const std::string& x, const std::string& y) {
      if (x != y) {
        throw InputError(fmt::format("--robust: rows must share the model and hardware; row {} has {} '{}' but row 0 "
                                     "has '{}'", i, what, y, x));
      }
    };
    differs("model", a.model.name, b.model.name);
    differs("hardware", a.cluster.system.name, b.cluster.system.name);
    differs("nodes", std::to_string(a.cluster.nodes), std::to_string(b.cluster.nodes));
    differs("gpus", std::to_string(a.gpus), std::to_string(b.gpus));
    differs("dtype", std::string(dtype_name(a.precision.weights)), std::string(dtype_name(b.precision.weights)));
    differs("kv_dtype", std::string(dtype_name(a.precision.kv)), std::string(dtype_name(b.precision.kv)));
  }
}

// The candidate's score as a fraction of the row's best (both signs of score handled: higher
// is better, negative scores are costs).
double relative_score(double score, double best) {
  if (best > 0) return score / best;
  if (best < 0 && score < 0) return best / score;
  return 0;
}

}  // namespace

RobustResult robust_choose(const std::vector<PlanRequest>& rows, const std::vector<PlanResult>& results, int threads) {
  SP_ASSERT(rows.size() == results.size(), "one result per row");
  RobustResult out;
  if (rows.empty()) {
    out.reason = "no rows";
    return out;
  }
  require_same_deployment(rows);
  std::map<std::string, Candidate> unique;
  std::vector<double> best(rows.size(), 0);
  for (size_t r = 0; r < results.size(); ++r) {
    for (const auto& e : results[r].ranked) unique.emplace(candidate_label(e.c), e.c);
    if (!results[r].ranked.empty()) best[r] = results[r].ranked.front().score;
  }
  for (auto& [k, c] : unique) out.candidates.push_back(c);
  if (out.candidates.empty()) {
    out.reason = "no row has a feasible configuration";
    return out;
  }
  const size_t nc = out.candidates.size(), nr = rows.size();
  std::vector<Evaluated> evals(nc * nr);
  parallel_for(nc * nr, threads, [&](size_t k) { evals[k] = evaluate_candidate(rows[k % nr], out.candidates[k / nr]); });

  // Rank: meets every row first; then the best worst relative score; then the smallest worst
  // SLO ratio (for the closest miss); then the label, so the choice is deterministic.
  size_t best_c = 0;
  auto key = [&](size_t c) {
    bool all = true;
    double worst_rel = 1e300, worst_ratio = 0;
    for (size_t r = 0; r < nr; ++r) {
      const Evaluated& e = evals[c * nr + r];
      all = all && e.meets_slo;
      worst_rel = std::min(worst_rel, relative_score(e.score, best[r]));
      worst_ratio = std::max(worst_ratio, e.slo_worst_ratio);
    }
    return std::tuple{all, worst_rel, -worst_ratio};
  };
  for (size_t c = 1; c < nc; ++c) {
    if (key(c) > key(best_c)) best_c = c;
  }
  const auto [all, worst_rel, neg_ratio] = key(best_c);
  for (size_t r = 0; r < nr; ++r) {
    out.per_row.push_back(evals[best_c * nr + r]);
    out.relative.push_back(relative_score(evals[best_c * nr + r].score, best[r]));
  }
  out.worst_relative = worst_rel;
  if (all) {
    out.chosen = best_c;
  } else {
    out.reason = fmt::format("none of the {} configurations meets the SLOs of every row; the closest, {}, misses by "
                             "{:.0f}% at worst", nc, candidate_label(out.candidates[best_c]), 100 * (-neg_ratio - 1));
  }
  return out;
}

}  // namespace sp
