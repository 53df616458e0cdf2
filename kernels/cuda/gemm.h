// Row-major GEMM through cuBLAS: y[m, n] = x[m, k] * w[k, n], the DeviceBackend::gemm contract,
// on device pointers. cuBLAS is column-major, and a row-major [r, c] matrix is the same memory
// as a column-major [c, r] one, so y^T = w^T x^T is computed in column-major with no transposes
// and no copies: cublasGemmEx(N, N, n, m, k, w (ld n), x (ld k), y (ld n)).
#pragma once

#include <cstdint>
#include <memory>

#include "kernels/cuda/stream.h"

struct cublasContext;

namespace sp::kernels::cuda {

enum class GemmMath {
  fp32,  // exact fp32 products and sums (CUBLAS_COMPUTE_32F): what the CPU reference does
  tf32,  // fp32 data, tensor cores with inputs rounded to TF32 (10-bit mantissa), fp32 sums
};

// One cuBLAS handle (RAII); one per thread or stream, as cuBLAS handles are not thread-safe.
// Constructing it needs a GPU (cublasCreate fails without one, as CudaError).
class CublasGemm {
 public:
  CublasGemm();

  // fp32 x, w and y.
  void gemm_fp32(const float* x, const float* w, float* y, int m, int k, int n, cudaStream_t stream,
                 GemmMath math = GemmMath::fp32);

  // bf16 x and w (stored as uint16_t, the bit pattern of __nv_bfloat16), fp32 accumulation and
  // fp32 y: the precision the cost model prices (bf16 weights and activations).
  void gemm_bf16(const uint16_t* x, const uint16_t* w, float* y, int m, int k, int n, cudaStream_t stream);

 private:
  struct Destroy {
    void operator()(cublasContext* h) const noexcept;
  };
  std::unique_ptr<cublasContext, Destroy> handle_;
};

// dst[i] = bf16(src[i]), round to nearest even; on `stream`. Grid-stride, 256 threads per block.
void convert_to_bf16(const float* src, uint16_t* dst, size_t count, cudaStream_t stream);

}  // namespace sp::kernels::cuda
