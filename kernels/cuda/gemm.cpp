#include "kernels/cuda/gemm.h"

#include <cublas_v2.h>

#include "kernels/cuda/cuda_check.h"
#include "sim/common/error.h"

#define SP_CUBLAS_CHECK(call)                                                                          \
  do {                                                                                                 \
    const cublasStatus_t sp_st_ = (call);                                                              \
    if (sp_st_ != CUBLAS_STATUS_SUCCESS)                                                               \
      ::sp::kernels::cuda::throw_cuda_error("cuBLAS", #call, cublasGetStatusString(sp_st_), __FILE__, __LINE__); \
  } while (0)

namespace sp::kernels::cuda {

CublasGemm::CublasGemm() {
  cublasHandle_t h = nullptr;
  SP_CUBLAS_CHECK(cublasCreate(&h));
  handle_.reset(h);
}

void CublasGemm::Destroy::operator()(cublasContext* h) const noexcept { cublasDestroy(h); }

namespace {

void gemm_ex(cublasHandle_t h, const void* x, const void* w, float* y, int m, int k, int n, cudaDataType_t in,
             cublasComputeType_t compute, cudaStream_t stream) {
  SP_ASSERT(m >= 0 && k >= 0 && n >= 0, "cuda gemm: negative dimension");
  if (m == 0 || n == 0) return;
  SP_CUBLAS_CHECK(cublasSetStream(h, stream));
  const float alpha = 1.0f, beta = 0.0f;  // host scalars: the handle's default pointer mode
  // Column-major view (see gemm.h): C[n, m] = A[n, k] * B[k, m] with A = w, B = x, C = y.
  // k = 0 leaves y = beta * y = 0, as the reference loop gives.
  SP_CUBLAS_CHECK(cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &alpha, w, in, n, x, in, k > 0 ? k : 1, &beta, y,
                               CUDA_R_32F, n, compute, CUBLAS_GEMM_DEFAULT));
}

}  // namespace

void CublasGemm::gemm_fp32(const float* x, const float* w, float* y, int m, int k, int n, cudaStream_t stream,
                           GemmMath math) {
  gemm_ex(handle_.get(), x, w, y, m, k, n, CUDA_R_32F,
          math == GemmMath::tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F, stream);
}

void CublasGemm::gemm_bf16(const uint16_t* x, const uint16_t* w, float* y, int m, int k, int n, cudaStream_t stream) {
  gemm_ex(handle_.get(), x, w, y, m, k, n, CUDA_R_16BF, CUBLAS_COMPUTE_32F, stream);
}

}  // namespace sp::kernels::cuda
