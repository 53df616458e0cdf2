#include "sim/common/error.h"

#include <cstdio>
#include <cstdlib>

namespace sp {

void assert_fail(const char* cond, const char* msg, const char* file, int line) {
  std::fprintf(stderr, "shardplan: internal error: %s:%d: assertion '%s' failed: %s\n", file, line, cond, msg);
  std::abort();
}

}  // namespace sp
