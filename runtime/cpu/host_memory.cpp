#include "runtime/cpu/host_memory.h"

#include <algorithm>
#include <fstream>
#include <string>

namespace sp {

namespace {

// A cgroup's remaining allowance (limit - usage), or -1 when unlimited or absent.
int64_t cgroup_left(const char* limit_path, const char* usage_path) {
  std::ifstream lim(limit_path), use(usage_path);
  std::string l;
  int64_t u = 0;
  if (!(lim >> l) || !(use >> u) || l == "max") return -1;
  try {
    const int64_t limit = std::stoll(l);
    // cgroup v1 reports "unlimited" as a number near 2^63.
    if (limit <= 0 || limit > (int64_t(1) << 60)) return -1;
    return std::max<int64_t>(0, limit - u);
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

int64_t host_available_bytes() {
  int64_t avail = -1;
  std::ifstream f("/proc/meminfo");
  std::string key, unit;
  int64_t kib = 0;
  while (f >> key >> kib) {
    std::getline(f, unit);
    if (key == "MemAvailable:") {
      avail = kib * 1024;
      break;
    }
  }
  for (auto [lim, use] : {std::pair{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"},
                          std::pair{"/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                    "/sys/fs/cgroup/memory/memory.usage_in_bytes"}}) {
    const int64_t left = cgroup_left(lim, use);
    if (left >= 0) avail = avail < 0 ? left : std::min(avail, left);
  }
  return avail;
}

}  // namespace sp
