// The report's standard plots, built from plain figures so that a plan read from JSON and the
// TP-vs-PP study (which holds the planner's values in memory) draw them the same way.
#pragma once

#include <string>
#include <vector>

#include "report/document.h"

namespace sp::report {

// One deployment in a throughput-vs-latency plot.
struct ConfigPoint {
  std::string label{};       // "tp4 pp2 dp1 ..."
  double latency_ms = 0;   // x
  double throughput = 0;   // y
  bool on_front = false;   // on the Pareto front
  bool chosen = false;     // the recommendation
};

// Series: every candidate, the front joined in latency order, the chosen one alone.
Plot throughput_latency_plot(std::string id, std::string title, std::string x_label, std::string y_label,
                             const std::vector<ConfigPoint>& points);

// Memory of the fullest GPU of one deployment, GiB.
struct MemoryStack {
  std::string label{};
  double weights = 0, kv_cache = 0, activations = 0, overhead = 0, capacity = 0;
};

Plot memory_plot(std::string id, std::string title, const std::vector<MemoryStack>& stacks);

// Shares of an iteration's time, summing to 1. The cost model splits busy time into compute-bound
// ops, memory-bound ops, collectives and engine overhead; the simulator says which share of the
// time a stage sat idle in the pipeline (the bubble). Busy shares are scaled by (1 - bubble).
struct TimeShares {
  std::string label{};
  double compute = 0, memory = 0, communication = 0, overhead = 0, bubble = 0;
};

TimeShares time_shares(std::string label, double compute_s, double memory_s, double comm_s, double overhead_s,
                       double bubble_fraction);
Plot time_plot(std::string id, std::string title, const std::vector<TimeShares>& shares);

}  // namespace sp::report
