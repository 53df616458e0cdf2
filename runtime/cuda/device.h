// The GPUs this process can see and the CUDA libraries it links, as plain values. Queries
// that need no GPU (library versions) work on any machine with the toolkit installed.
#pragma once

#include <string>
#include <vector>

namespace sp::cuda {

struct Device {
  int index = 0;
  std::string name;          // e.g. "NVIDIA H100 80GB HBM3"
  double memory_gib = 0;
  int sm_major = 0, sm_minor = 0;
};

struct LibraryVersions {
  int cuda_runtime = 0;      // e.g. 13000
  int cublas = 0;            // major*10000 + minor*100 + patch
  int nccl = 0;              // NCCL_VERSION_CODE style, e.g. 22703
};

// Visible devices; empty with `why` set when there are none (no driver, no GPU).
std::vector<Device> devices(std::string* why);
LibraryVersions library_versions();

}  // namespace sp::cuda
