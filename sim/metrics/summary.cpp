#include "sim/metrics/summary.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sp {

namespace {

double nearest_rank(std::vector<double>& v, double q) {
  const size_t rank = size_t(std::ceil(q * double(v.size())));
  const size_t i = std::clamp<size_t>(rank, 1, v.size()) - 1;
  std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(i), v.end());
  return v[i];
}

constexpr double kMin = 1e-9;                  // 1 ns
constexpr double kGrowth = 1.01;               // 1% buckets
const double kLogGrowth = std::log(kGrowth);
constexpr size_t kBuckets = 3300;              // 1.01^3300 * 1e-9 s ~ 1.8e5 s

}  // namespace

Summary summarize(std::vector<double>& samples) {
  Summary s;
  s.count = int64_t(samples.size());
  if (samples.empty()) return s;
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / double(samples.size());
  s.p50 = nearest_rank(samples, 0.50);
  s.p90 = nearest_rank(samples, 0.90);
  s.p99 = nearest_rank(samples, 0.99);
  return s;
}

LogHistogram::LogHistogram() : buckets_(kBuckets, 0) {}

void LogHistogram::add(double v) {
  min_ = count_ == 0 ? v : std::min(min_, v);
  max_ = count_ == 0 ? v : std::max(max_, v);
  ++count_;
  sum_ += v;
  if (v < kMin) {
    ++zeros_;
    return;
  }
  size_t i = size_t(std::log(v / kMin) / kLogGrowth);
  buckets_[std::min(i, kBuckets - 1)] += 1;
}

Summary LogHistogram::summary() const {
  Summary s;
  s.count = count_;
  if (count_ == 0) return s;
  s.mean = sum_ / double(count_);
  auto quantile = [&](double q) {
    const int64_t rank = std::max<int64_t>(1, int64_t(std::ceil(q * double(count_))));
    if (rank <= zeros_) return 0.0;
    int64_t seen = zeros_;
    for (size_t i = 0; i < buckets_.size(); ++i) {
      seen += buckets_[i];
      if (seen >= rank) return kMin * std::pow(kGrowth, double(i) + 0.5);
    }
    return kMin * std::pow(kGrowth, double(kBuckets));
  };
  s.p50 = std::clamp(quantile(0.50), min_, max_);
  s.p90 = std::clamp(quantile(0.90), min_, max_);
  s.p99 = std::clamp(quantile(0.99), min_, max_);
  return s;
}

}  // namespace sp
