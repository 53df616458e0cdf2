// The discrete-event engine: simulated time in integer nanoseconds and a queue of events.
//
// An event is a plain key plus a payload. Keys order everything:
//   (time_ns, seq) lexicographically; seq is the engine's counter at scheduling time.
// Invariants: keys are unique (seq never repeats), so the order is total and a run is
// deterministic; events at the same time run in the order they were scheduled (FIFO);
// nothing is scheduled before now, and now never moves backwards (SP_ASSERT checks both).
// Handlers never touch the queue: they ask the engine to schedule follow-ups.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/common/error.h"

namespace sp {

struct EventKey {
  int64_t time_ns = 0;
  uint64_t seq = 0;
};

// The one comparator: earlier time first, then earlier scheduling.
inline bool operator<(const EventKey& a, const EventKey& b) {
  return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.seq < b.seq;
}

template <class Payload>
class Engine {
 public:
  int64_t now_ns() const { return now_ns_; }
  uint64_t events_processed() const { return processed_; }
  size_t pending() const { return heap_.size(); }

  void schedule_at(int64_t time_ns, const Payload& p) {
    SP_ASSERT(time_ns >= now_ns_, "event scheduled in the past");
    heap_.push_back(Entry{EventKey{time_ns, next_seq_++}, p});
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
  void schedule_in(int64_t delay_ns, const Payload& p) { schedule_at(now_ns_ + delay_ns, p); }

  // Pops the earliest event into `out` and advances time to it; false when none is left.
  bool next(Payload& out) {
    if (heap_.empty()) return false;
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const Entry& e = heap_.back();
    SP_ASSERT(e.key.time_ns >= now_ns_, "simulated time ran backwards");
    now_ns_ = e.key.time_ns;
    out = e.payload;
    heap_.pop_back();
    ++processed_;
    return true;
  }

 private:
  struct Entry {
    EventKey key;
    Payload payload;
  };
  // std heaps are max-heaps: "later" puts the earliest key on top.
  static bool later(const Entry& a, const Entry& b) { return b.key < a.key; }

  std::vector<Entry> heap_;
  int64_t now_ns_ = 0;
  uint64_t next_seq_ = 0;
  uint64_t processed_ = 0;
};

}  // namespace sp
