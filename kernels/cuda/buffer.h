// Device memory as an owning value (STYLE habit 5): cudaMalloc on construction, cudaFree in the
// deleter, movable, not copyable. No managed memory: every transfer is an explicit copy, so the
// runtime's transfers stay visible in the code and in a profile.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "kernels/cuda/stream.h"

namespace sp::kernels::cuda {

// Bytes on the current device. An empty buffer (0 bytes) holds no allocation.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t bytes);
  void* data() const { return ptr_.get(); }
  size_t bytes() const { return bytes_; }

 private:
  struct Free {
    void operator()(void* p) const noexcept;
  };
  std::unique_ptr<void, Free> ptr_;
  size_t bytes_ = 0;
};

// `count` elements of T on the device (T trivially copyable: float, int32_t, bf16 as uint16_t).
template <class T>
class DeviceArray {
 public:
  DeviceArray() = default;
  explicit DeviceArray(size_t count) : buf_(count * sizeof(T)), count_(count) {}
  T* data() const { return static_cast<T*>(buf_.data()); }
  size_t size() const { return count_; }

 private:
  DeviceBuffer buf_;
  size_t count_ = 0;
};

// Copies on `stream` (nullptr: the legacy default stream). From pageable host memory they return
// once the source may be reused; device_to_host returns once the copy has completed.
void copy_host_to_device(void* dst, const void* src, size_t bytes, cudaStream_t stream);
void copy_device_to_host(void* dst, const void* src, size_t bytes, cudaStream_t stream);
void stream_synchronize(cudaStream_t stream);

template <class T>
DeviceArray<T> to_device(std::span<const T> host, cudaStream_t stream = nullptr) {
  DeviceArray<T> out(host.size());
  copy_host_to_device(out.data(), host.data(), host.size_bytes(), stream);
  return out;
}

template <class T>
std::vector<T> to_host(const DeviceArray<T>& dev, cudaStream_t stream = nullptr) {
  std::vector<T> out(dev.size());
  copy_device_to_host(out.data(), dev.data(), dev.size() * sizeof(T), stream);
  return out;
}

}  // namespace sp::kernels::cuda
