#include "sim/serving/timeline.h"

#include <set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace sp {

namespace {

std::string track_name(int32_t track, int tp) {
  if (track >= 2'000'000) return fmt::format("stage {} TP links", track - 2'000'000);
  if (track >= 1'000'000) return fmt::format("PP link {}->{}", track - 1'000'000, track - 1'000'000 + 1);
  return fmt::format("GPU {} (stage {}, tp {})", track, track / tp, track % tp);
}

}  // namespace

void timeline_write(std::ostream& out, const SimResult& result, int tp, int /*pp*/) {
  // Timestamps are microseconds with nanosecond decimals, as the format expects.
  out << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  std::set<std::pair<int32_t, int32_t>> tracks;
  bool first = true;
  for (const auto& s : result.timeline) {
    tracks.insert({s.replica, s.track});
    out << (first ? "" : ",\n");
    first = false;
    fmt::print(out, R"({{"name":"{}","ph":"X","pid":{},"tid":{},"ts":{}.{:03},"dur":{}.{:03},"args":{{"batch":{},"tokens":{}}}}})",
               s.name, s.replica, s.track, s.start_ns / 1000, s.start_ns % 1000, s.dur_ns / 1000, s.dur_ns % 1000,
               s.batch, s.tokens);
  }
  std::set<int32_t> replicas;
  for (const auto& [r, t] : tracks) {
    if (replicas.insert(r).second) {
      out << (first ? "" : ",\n");
      first = false;
      fmt::print(out, R"({{"name":"process_name","ph":"M","pid":{},"args":{{"name":"replica {}"}}}})", r, r);
    }
    out << ",\n";
    fmt::print(out, R"({{"name":"thread_name","ph":"M","pid":{},"tid":{},"args":{{"name":"{}"}}}})", r, t,
               track_name(t, tp));
  }
  out << "\n]}\n";
}

}  // namespace sp
