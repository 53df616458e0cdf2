// Emulation stand-in for kernels/cuda/buffer.cpp: host memory plays device memory, filled with
// 0xff bytes (NaN as floats) as cudaMalloc gives garbage, so a read of unwritten memory shows.
#include <cstdlib>
#include <cstring>
#include "kernels/cuda/buffer.h"
namespace sp::kernels::cuda {
DeviceBuffer::DeviceBuffer(size_t bytes) : bytes_(bytes) {
  if (bytes == 0) return;
  void* p = std::malloc(bytes);
  std::memset(p, 0xff, bytes);  // garbage, as cudaMalloc gives
  ptr_.reset(p);
}
void DeviceBuffer::Free::operator()(void* p) const noexcept { std::free(p); }
void copy_host_to_device(void* dst, const void* src, size_t bytes, cudaStream_t) { if (bytes) std::memcpy(dst, src, bytes); }
void copy_device_to_host(void* dst, const void* src, size_t bytes, cudaStream_t) { if (bytes) std::memcpy(dst, src, bytes); }
void stream_synchronize(cudaStream_t) {}
}  // namespace sp::kernels::cuda
