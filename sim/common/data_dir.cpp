#include "sim/common/data_dir.h"

#include <cstdlib>

namespace sp {

std::filesystem::path data_dir() {
  if (const char* env = std::getenv("SHARDPLAN_DATA_DIR"); env != nullptr && *env != '\0') return env;
  return SHARDPLAN_DATA_DIR;
}

}  // namespace sp
