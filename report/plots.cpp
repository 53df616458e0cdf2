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

Plot memory_plot(std::string id, std::string title, const std::vector<MemoryStack>& stacks) {
  Plot p{.id = std::move(id), .title = std::move(title), .x_label = "deployment", .y_label = "GiB on the fullest GPU",
         .kind = PlotKind::stacked_bars};
  Series w{.name = "weights"}, a{.name = "activations"}, o{.name = "overhead"}, kv{.name = "KV cache"},
      cap{.name = "capacity", .marker = true};
  for (const auto& s : stacks) {
    p.categories.push_back(s.label);
    w.y.push_back(s.weights);
    a.y.push_back(s.activations);
    o.y.push_back(s.overhead);
    kv.y.push_back(s.kv_cache);
    cap.y.push_back(s.capacity);
  }
  p.series = {w, a, o, kv, cap};
  return p;
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
  Plot p{.id = std::move(id), .title = std::move(title), .x_label = "deployment", .y_label = "share of iteration time",
         .kind = PlotKind::stacked_bars};
  Series c{.name = "compute"}, m{.name = "memory"}, x{.name = "communication"}, o{.name = "engine overhead"},
      b{.name = "PP bubble"};
  for (const auto& s : shares) {
    p.categories.push_back(s.label);
    c.y.push_back(s.compute);
    m.y.push_back(s.memory);
    x.y.push_back(s.communication);
    o.y.push_back(s.overhead);
    b.y.push_back(s.bubble);
  }
  p.series = {c, m, x, o, b};
  return p;
}

}  // namespace sp::report
