// Runs fn(0) .. fn(n-1) on `threads` threads; results must go to per-index slots so they do
// not depend on the thread count. The calling thread reports progress while it waits, so
// callbacks never run concurrently. The first exception thrown by any task is rethrown.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sp {

inline void parallel_for(size_t n, int threads, const std::function<void(size_t)>& fn,
                         const std::function<void(size_t done)>& progress = {}) {
  std::atomic<size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mu;
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard lock(error_mu);
        if (!error) error = std::current_exception();
        failed = true;
        next = n;  // stop handing out work
      }
      ++done;
    }
  };
  const int workers = std::max(1, std::min(threads, int(std::min<size_t>(n, 1 << 16))));
  // With a progress callback the calling thread only watches; otherwise it works too.
  const bool watch = bool(progress) && n > 0;
  std::vector<std::thread> pool;
  for (int t = 0; t < workers - (watch ? 0 : 1); ++t) pool.emplace_back(work);
  if (watch) {
    while (done.load() < n && !failed.load()) {
      progress(done.load());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } else {
    work();
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  if (progress) progress(n);
}

}  // namespace sp
