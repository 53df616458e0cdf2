// The accuracy harness: every published record it can map is predicted by shardplan and
// compared with the published figure; errors are summarised per metric family, and the
// ranking of splits is checked (Kendall tau over records that differ only in the split).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/accuracy/published.h"
#include "sim/accuracy/record_map.h"

namespace sp {

struct AccuracyOptions {
  // Use hardware_profiles/calibrated/<system>-<engine>.json where one is committed.
  bool calibrated = true;
  // Offline runs: requests queued at t=0, 4x the concurrency the engine reaches, within
  // [min_requests, max_requests] (trtllm-bench runs thousands; steady state needs a few waves).
  int64_t min_requests = 256;
  int64_t max_requests = 4096;
};

struct RecordResult {
  std::string id;
  Family family = Family::offline_throughput;
  TaskKind kind = TaskKind::offline;
  double predicted = 0;
  double published = 0;
  std::string unit;
  std::string profile;      // the system profile used: a bundled name or calibrated/<file>
  double error_pct() const { return 100.0 * (predicted - published) / published; }
};

struct Unmapped {
  std::string id;
  std::string reason;
};

struct FamilyStats {
  std::string name;         // a family, or "allreduce busbw >= 1 MiB"
  int count = 0;
  double median_ape = 0;    // median absolute percentage error
  double mape = 0;          // mean absolute percentage error
};

struct RankingStats {
  int groups = 0;           // groups of >= 2 records differing only in the split
  int concordant = 0, discordant = 0;
  double tau = 0;           // (concordant - discordant) / (concordant + discordant)
};

struct AccuracyReport {
  std::vector<RecordResult> results;
  std::vector<Unmapped> unmapped;
  std::vector<FamilyStats> families;
  RankingStats ranking;
};

AccuracyReport accuracy_run(const std::vector<PublishedRecord>& records, const AccuracyOptions& opt = {});

// Median and mean of |error %| over `errors_pct`; zero for an empty list.
FamilyStats family_stats(std::string name, std::vector<double> errors_pct);

// Kendall tau over groups of (published, predicted) pairs: pairs within one group only; ties in
// either value count neither way.
RankingStats ranking_stats(const std::vector<std::vector<std::pair<double, double>>>& groups);

}  // namespace sp
