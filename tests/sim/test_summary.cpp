#include <doctest/doctest.h>

#include <vector>

#include "sim/metrics/summary.h"

using namespace sp;

TEST_SUITE("summary") {

TEST_CASE("exact summary: mean and nearest-rank percentiles") {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(double(i));
  const Summary s = summarize(v);
  CHECK(s.count == 100);
  CHECK(s.mean == doctest::Approx(50.5));
  CHECK(s.p50 == 50);
  CHECK(s.p90 == 90);
  CHECK(s.p99 == 99);
  std::vector<double> none;
  CHECK(summarize(none).count == 0);
}

TEST_CASE("histogram percentiles are within 0.5% and never outside the values seen") {
  LogHistogram h;
  for (int i = 1; i <= 1000; ++i) h.add(1e-3 * i);  // 1 ms .. 1 s
  const Summary s = h.summary();
  CHECK(s.count == 1000);
  CHECK(s.mean == doctest::Approx(0.5005));
  CHECK(s.p50 == doctest::Approx(0.500).epsilon(0.005));
  CHECK(s.p90 == doctest::Approx(0.900).epsilon(0.005));
  CHECK(s.p99 == doctest::Approx(0.990).epsilon(0.005));
  CHECK(s.p99 <= 1.0);

  // Equal samples: the bucket's midpoint would sit up to 0.5% off, and a p99 below the mean
  // (6.63 against 6.64 ms, seen in a simulate run) reads as a bug.
  LogHistogram same;
  for (int i = 0; i < 3; ++i) same.add(6.64e-3);
  const Summary e = same.summary();
  CHECK(e.mean == doctest::Approx(6.64e-3));
  CHECK(e.p50 == 6.64e-3);  // the value itself: it is both the smallest and the largest seen
  CHECK(e.p99 == 6.64e-3);
}

TEST_CASE("histogram: zeros and an empty histogram") {
  LogHistogram h;
  CHECK(h.summary().count == 0);
  h.add(0.0);
  h.add(0.0);
  h.add(2e-3);
  const Summary s = h.summary();
  CHECK(s.p50 == 0.0);
  CHECK(s.p99 == doctest::Approx(2e-3));
}

}  // TEST_SUITE
