#include <doctest/doctest.h>

#include <vector>

#include "sim/des/engine.h"

using namespace sp;

TEST_SUITE("engine") {

TEST_CASE("events run in time order, ties in scheduling order") {
  Engine<int> e;
  e.schedule_at(20, 1);
  e.schedule_at(10, 2);
  e.schedule_at(20, 3);
  e.schedule_at(10, 4);
  e.schedule_at(0, 5);
  std::vector<int> order;
  std::vector<int64_t> times;
  int x;
  while (e.next(x)) {
    order.push_back(x);
    times.push_back(e.now_ns());
    if (x == 2) e.schedule_in(0, 6);  // same time, scheduled later: runs after 4
  }
  CHECK(order == std::vector<int>{5, 2, 4, 6, 1, 3});
  CHECK(times == std::vector<int64_t>{0, 10, 10, 10, 20, 20});
  CHECK(e.events_processed() == 6);
}

TEST_CASE("the key comparator is a strict order") {
  EventKey a{5, 1}, b{5, 2}, c{6, 0};
  CHECK(a < b);
  CHECK_FALSE(b < a);
  CHECK(b < c);
  CHECK_FALSE(a < a);
}

}  // TEST_SUITE
