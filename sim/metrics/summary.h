// Summaries of latency samples: mean and percentiles, exact for per-request metrics and from
// a bounded log-bucket histogram for per-token ones (ITL), whose count grows with the
// number of decode tokens and must not grow memory.
#pragma once

#include <cstdint>
#include <vector>

namespace sp {

struct Summary {
  double mean = 0, p50 = 0, p90 = 0, p99 = 0;
  int64_t count = 0;
};

// Exact summary; percentiles by nearest rank. Reorders `samples`.
Summary summarize(std::vector<double>& samples);

// Non-negative values in log buckets of 1% relative width, from 1 ns up to ~1e5 s; constant
// memory. Percentiles are the bucket's geometric midpoint (within 0.5%), kept within the
// smallest and largest value seen, so equal samples give their value exactly; the mean is exact.
class LogHistogram {
 public:
  LogHistogram();
  void add(double value_s);
  Summary summary() const;

 private:
  std::vector<int64_t> buckets_;
  int64_t count_ = 0, zeros_ = 0;
  double sum_ = 0, min_ = 0, max_ = 0;
};

}  // namespace sp
