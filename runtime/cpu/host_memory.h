// Memory this host can still give the runtime: the kernel's MemAvailable, lowered to what the
// process's cgroup still allows (containers and CI runners cap memory below the host's).
#pragma once

#include <cstdint>

namespace sp {

// Bytes, or -1 when neither /proc/meminfo nor a cgroup limit can be read.
int64_t host_available_bytes();

}  // namespace sp
