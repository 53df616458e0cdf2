#include "report/plots.h"

#include <algorithm>

namespace sp::report {

Plot throughput_latency_plot(std::string id, std::string title, std::string x_label, std::string y_label,
                             const std::vector<ConfigPoint>& points) {
  Plot p{.id = std::move(id), .title = std::move(title), .x_label = std::move(x_label), .y_label = std::move(y_label)};
  Series all{.name = "candidates"}, front{.name = "Pareto front", .lines = true}, chosen{.name = "recommended"};
  std::vector<ConfigPoint> on_front;
  for (const auto& c : points) {
    all.x.push_back(c.latency_ms);
    all.y.push_back(c.throughput);
    all.point_labels.push_back(c.label);
    if (c.on_front) on_front.push_back(c);
    if (c.chosen) {
      chosen.x.push_back(c.latency_ms);
      chosen.y.push_back(c.throughput);
    }
  }
  std::sort(on_front.begin(), on_front.end(), [](const auto& a, const auto& b) { return a.latency_ms < b.latency_ms; });
  for (const auto& c : on_front) {
    front.x.push_back(c.latency_ms);
    front.y.push_back(c.throughput);
  }
  p.series = {all, front, chosen};
  return p;
}

namespace {

// One stacked bar per labelled row; `parts` name the stacked values of each row in order, and a
// last value past them (when `marker` is given) is drawn as a point over the bar.
struct BarRow {
  std::string label;
  std::vector<double> values;
};

Plot stacked_plot(std::string id, std::string title, std::string y_label, const std::vector<std::string>& parts,
                  const std::string& marker, const std::vector<BarRow>& rows) {
  Plot p{.id = std::move(id), .title = std::move(title), .x_label = "deployment", .y_label = std::move(y_label),
         .kind = PlotKind::stacked_bars};
  for (const auto& name : parts) p.series.push_back({.name = name});
  if (!marker.empty()) p.series.push_back({.name = marker, .marker = true});
  for (const auto& r : rows) {
    p.categories.push_back(r.label);
    for (size_t i = 0; i < p.series.size(); ++i) p.series[i].y.push_back(r.values.at(i));
  }
  return p;
}

}  // namespace

Plot memory_plot(std::string id, std::string title, const std::vector<MemoryStack>& stacks) {
  std::vector<BarRow> rows;
  for (const auto& s : stacks) rows.push_back({s.label, {s.weights, s.activations, s.overhead, s.kv_cache, s.capacity}});
  return stacked_plot(std::move(id), std::move(title), "GiB on the fullest GPU",
                      {"weights", "activations", "overhead", "KV cache"}, "capacity", rows);
}

TimeShares time_shares(std::string label, double compute_s, double memory_s, double comm_s, double overhead_s,
                       double bubble_fraction) {
  const double busy = compute_s + memory_s + comm_s + overhead_s;
  const double bubble = std::clamp(bubble_fraction, 0.0, 1.0);
  const double scale = busy > 0 ? (1 - bubble) / busy : 0;
  return {.label = std::move(label), .compute = compute_s * scale, .memory = memory_s * scale,
          .communication = comm_s * scale, .overhead = overhead_s * scale, .bubble = bubble};
}

Plot time_plot(std::string id, std::string title, const std::vector<TimeShares>& shares) {
  std::vector<BarRow> rows;
  for (const auto& s : shares) rows.push_back({s.label, {s.compute, s.memory, s.communication, s.overhead, s.bubble}});
  return stacked_plot(std::move(id), std::move(title), "share of iteration time",
                      {"compute", "memory", "communication", "engine overhead", "PP bubble"}, "", rows);
}

}  // namespace sp::report
