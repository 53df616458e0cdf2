// Internal to the CUDA code (includes the CUDA runtime header): every CUDA call goes through
// SP_CUDA_CHECK, every kernel launch is followed by SP_CUDA_CHECK_LAUNCH(), which reports a bad
// launch configuration at once instead of at the next synchronising call.
#pragma once

#include <cuda_runtime_api.h>

#include "kernels/cuda/error.h"

#define SP_CUDA_CHECK(call)                                                                           \
  do {                                                                                                \
    const cudaError_t sp_err_ = (call);                                                               \
    if (sp_err_ != cudaSuccess)                                                                       \
      ::sp::kernels::cuda::throw_cuda_error("CUDA", #call, cudaGetErrorString(sp_err_), __FILE__, __LINE__); \
  } while (0)

#define SP_CUDA_CHECK_LAUNCH() SP_CUDA_CHECK(cudaGetLastError())
