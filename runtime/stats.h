// The statistics the runtime reports: medians, robust to the noise of a shared machine.
#pragma once

#include <algorithm>
#include <vector>

namespace sp {

inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace sp
