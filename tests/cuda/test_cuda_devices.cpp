// Links the CUDA runtime, cuBLAS and NCCL and asks them their versions (no GPU needed), then
// lists the GPUs. Exits 77, which ctest reports as skipped, when no GPU is visible.
#include <cstdio>
#include <string>

#include "runtime/cuda/device.h"

int main() {
  auto v = sp::cuda::library_versions();
  std::printf("cuBLAS %d, NCCL %d, CUDA runtime %d\n", v.cublas, v.nccl, v.cuda_runtime);
  if (v.cublas < 10000 || v.nccl < 20000) {
    std::printf("FAILED: cuBLAS or NCCL did not report a version\n");
    return 1;
  }
  std::string why;
  auto devs = sp::cuda::devices(&why);
  if (devs.empty()) {
    std::printf("SKIPPED: no GPU visible (%s); GPU checks run on the device machine\n", why.c_str());
    return 77;
  }
  for (const auto& d : devs) {
    std::printf("GPU %d: %s, %.1f GiB, sm_%d%d\n", d.index, d.name.c_str(), d.memory_gib, d.sm_major, d.sm_minor);
    if (d.memory_gib <= 0) return 1;
  }
  return 0;
}
