#include "runtime/cuda/device.h"

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <library_types.h>
#include <nccl.h>

namespace sp::cuda {

std::vector<Device> devices(std::string* why) {
  int n = 0;
  cudaError_t err = cudaGetDeviceCount(&n);
  std::vector<Device> out;
  if (err != cudaSuccess || n == 0) {
    if (why) *why = err != cudaSuccess ? cudaGetErrorString(err) : "no CUDA device is visible";
    return out;
  }
  for (int i = 0; i < n; ++i) {
    cudaDeviceProp p{};
    if (cudaGetDeviceProperties(&p, i) != cudaSuccess) continue;
    out.push_back(Device{i, p.name, double(p.totalGlobalMem) / (1024.0 * 1024 * 1024), p.major, p.minor});
  }
  return out;
}

LibraryVersions library_versions() {
  LibraryVersions v;
  cudaRuntimeGetVersion(&v.cuda_runtime);
  int major = 0, minor = 0, patch = 0;
  cublasGetProperty(MAJOR_VERSION, &major);
  cublasGetProperty(MINOR_VERSION, &minor);
  cublasGetProperty(PATCH_LEVEL, &patch);
  v.cublas = major * 10000 + minor * 100 + patch;
  ncclGetVersion(&v.nccl);
  return v;
}

}  // namespace sp::cuda
