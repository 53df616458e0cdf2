#include "runtime/recorder.h"

namespace sp {

std::string_view time_class_name(TimeClass c) {
  switch (c) {
    case TimeClass::gemm: return "gemm";
    case TimeClass::attention: return "attention";
    case TimeClass::elementwise: return "elementwise";
    case TimeClass::allreduce: return "allreduce";
    case TimeClass::allgather: return "allgather";
    case TimeClass::sendrecv: return "sendrecv";
    case TimeClass::idle: return "idle";
  }
  return "?";
}

TimeClass time_class_of(OpClass c) {
  switch (c) {
    case OpClass::gemm: return TimeClass::gemm;
    case OpClass::attention: return TimeClass::attention;
    case OpClass::elementwise: return TimeClass::elementwise;
    case OpClass::allreduce: return TimeClass::allreduce;
    case OpClass::allgather: return TimeClass::allgather;
    case OpClass::alltoall: return TimeClass::sendrecv;
  }
  return TimeClass::elementwise;
}

Recorder::Recorder() : origin_ns_(now_ns()) { progress_ns_.store(origin_ns_); }

int64_t Recorder::now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ClassSeconds Recorder::take_totals() {
  ClassSeconds t = totals_;
  totals_ = {};
  return t;
}

nlohmann::json Recorder::chrome_trace(int rank) const {
  auto events = nlohmann::json::array();
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", rank}, {"args", {{"name", "rank " + std::to_string(rank)}}}});
  for (const auto& e : trace_) {
    events.push_back({{"name", std::string(e.name)},
                      {"cat", std::string(time_class_name(e.cls))},
                      {"ph", "X"},
                      {"pid", rank},
                      {"tid", 0},
                      {"ts", double(e.start_ns - origin_ns_) * 1e-3},
                      {"dur", double(e.dur_ns) * 1e-3}});
  }
  return {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
}

}  // namespace sp
