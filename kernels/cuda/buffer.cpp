#include "kernels/cuda/buffer.h"

#include "kernels/cuda/cuda_check.h"

namespace sp::kernels::cuda {

DeviceBuffer::DeviceBuffer(size_t bytes) : bytes_(bytes) {
  if (bytes == 0) return;
  void* p = nullptr;
  SP_CUDA_CHECK(cudaMalloc(&p, bytes));
  ptr_.reset(p);
}

// A destructor must not throw; a failed cudaFree means the context is already broken, and the
// next checked call reports it.
void DeviceBuffer::Free::operator()(void* p) const noexcept { cudaFree(p); }

void copy_host_to_device(void* dst, const void* src, size_t bytes, cudaStream_t stream) {
  if (bytes == 0) return;
  SP_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream));
}

void copy_device_to_host(void* dst, const void* src, size_t bytes, cudaStream_t stream) {
  if (bytes == 0) return;
  SP_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream));
  // The host reads dst next: wait here rather than trust every caller to.
  SP_CUDA_CHECK(cudaStreamSynchronize(stream));
}

void stream_synchronize(cudaStream_t stream) { SP_CUDA_CHECK(cudaStreamSynchronize(stream)); }

}  // namespace sp::kernels::cuda
