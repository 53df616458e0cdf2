// Steady-clock timing of a rank's ops, by time class, and an optional Chrome trace.
//
// Time classes are the cost model's op classes plus the two things a real run has that a
// priced op list has not: sendrecv (PP hand-offs and returned tokens) and idle (waiting for a
// message that has not arrived yet). The recorder also notes the op names it executes in
// order, so tests compare them with CostModel::stage_ops, and publishes its progress for the
// watchdog of shardplan-run.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/cost/ops.h"

namespace sp {

enum class TimeClass { gemm, attention, elementwise, allreduce, allgather, sendrecv, idle };
inline constexpr int kTimeClasses = 7;
std::string_view time_class_name(TimeClass c);
TimeClass time_class_of(OpClass c);

using ClassSeconds = std::array<double, kTimeClasses>;

class Recorder {
 public:
  Recorder();

  // Runs f and books its duration under `cls`. `name` must outlive the recorder (the op names
  // of sim/cost/ops.cpp are string literals). Ops from the cost model's list are noted in
  // executed() when `listed`.
  template <class F>
  void time(std::string_view name, TimeClass cls, bool listed, F&& f) {
    current_.store(name.data(), std::memory_order_relaxed);
    const int64_t t0 = now_ns();
    f();
    const int64_t t1 = now_ns();
    totals_[size_t(cls)] += double(t1 - t0) * 1e-9;
    if (listed && keep_names_) executed_.push_back(name);
    if (keep_trace_) trace_.push_back(Event{name, cls, t0, t1 - t0});
    progress_ns_.store(t1, std::memory_order_relaxed);
  }

  // Totals since the last call, by class; resets them.
  ClassSeconds take_totals();
  void keep_names(bool on) { keep_names_ = on; }
  const std::vector<std::string_view>& executed() const { return executed_; }
  void clear_executed() { executed_.clear(); }
  void keep_trace(bool on) { keep_trace_ = on; }
  // Chrome trace (chrome://tracing, Perfetto) of the kept events: one process per rank.
  nlohmann::json chrome_trace(int rank) const;

  // For the watchdog: when the last op finished and which op runs now.
  int64_t progress_ns() const { return progress_ns_.load(std::memory_order_relaxed); }
  const char* current_op() const { return current_.load(std::memory_order_relaxed); }
  void touch() { progress_ns_.store(now_ns(), std::memory_order_relaxed); }
  static int64_t now_ns();

 private:
  struct Event {
    std::string_view name;
    TimeClass cls;
    int64_t start_ns, dur_ns;
  };
  ClassSeconds totals_{};
  bool keep_names_ = false, keep_trace_ = false;
  std::vector<std::string_view> executed_;
  std::vector<Event> trace_;
  int64_t origin_ns_ = 0;
  std::atomic<int64_t> progress_ns_{0};
  std::atomic<const char*> current_{"start"};
};

}  // namespace sp
