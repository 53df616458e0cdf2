// cublasGemmEx by its documented column-major semantics (C = alpha op(A) op(B) + beta C, A m x k
// with leading dimension lda, ...), N/N only, fp32 or bf16 inputs, fp32 C: lets the real gemm.cpp
// (row-major trick, argument order, leading dimensions) run against the specification.
#include <cublas_v2.h>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <cstdlib>
struct cublasContext { int dummy; };
static float load(const void* p, cudaDataType_t t, size_t i) {
  if (t == CUDA_R_32F) return static_cast<const float*>(p)[i];
  if (t == CUDA_R_16BF) { uint32_t u = uint32_t(static_cast<const uint16_t*>(p)[i]) << 16; float f; std::memcpy(&f, &u, 4); return f; }
  std::abort();
}
extern "C" {
cublasStatus_t cublasCreate_v2(cublasHandle_t* h) { *h = new cublasContext{}; return CUBLAS_STATUS_SUCCESS; }
cublasStatus_t cublasDestroy_v2(cublasHandle_t h) { delete h; return CUBLAS_STATUS_SUCCESS; }
cublasStatus_t cublasSetStream_v2(cublasHandle_t, cudaStream_t) { return CUBLAS_STATUS_SUCCESS; }
const char* cublasGetStatusString(cublasStatus_t) { return "emulated"; }
cublasStatus_t cublasGemmEx(cublasHandle_t, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                            const void* alpha, const void* A, cudaDataType_t at, int lda, const void* B,
                            cudaDataType_t bt, int ldb, const void* beta, void* C, cudaDataType_t ct, int ldc,
                            cublasComputeType_t, cublasGemmAlgo_t) {
  if (ta != CUBLAS_OP_N || tb != CUBLAS_OP_N || ct != CUDA_R_32F) std::abort();
  if (lda < m || ldb < k || ldc < m) return CUBLAS_STATUS_INVALID_VALUE;  // the documented checks for N/N
  const float a = *static_cast<const float*>(alpha), b = *static_cast<const float*>(beta);
  float* c = static_cast<float*>(C);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i) {
      double acc = 0;
      for (int p = 0; p < k; ++p) acc += double(load(A, at, size_t(i) + size_t(p) * lda)) * double(load(B, bt, size_t(p) + size_t(j) * ldb));
      float& out = c[size_t(i) + size_t(j) * ldc];
      out = float(a * acc + (b == 0 ? 0.0 : b * out));
    }
  return CUBLAS_STATUS_SUCCESS;
}
}
