// The statistics the runtime reports: medians, robust to the noise of a shared machine.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace sp {

inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Median seconds of one call of `fn`: one warm-up call, then single timed calls until they add
// up to `min_total_s` and number at least `min_calls` (at most `max_calls`). Timing calls one by
// one and taking the median rejects the calls during which a shared machine descheduled us, as
// long as fewer than half of them were hit.
template <class F>
double time_median(F&& fn, double min_total_s = 0.04, int min_calls = 3, int max_calls = 400) {
  using clock = std::chrono::steady_clock;
  fn();
  std::vector<double> t;
  double total = 0;
  while ((total < min_total_s || int(t.size()) < min_calls) && int(t.size()) < max_calls) {
    const auto t0 = clock::now();
    fn();
    t.push_back(std::chrono::duration<double>(clock::now() - t0).count());
    total += t.back();
  }
  return median(t);
}

}  // namespace sp
