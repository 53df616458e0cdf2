// Where the bundled data (models/, hardware_profiles/) lives.
#pragma once

#include <filesystem>

namespace sp {

// $SHARDPLAN_DATA_DIR when set, else the source tree the binary was built from.
std::filesystem::path data_dir();

}  // namespace sp
