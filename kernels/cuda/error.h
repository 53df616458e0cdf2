// Failures of the CUDA runtime, cuBLAS and NCCL as one exception type. A failed call is a
// runtime failure (no device, out of memory, a peer gone), not a shardplan bug, so it is not an
// InternalError; the message names the call, the library's own error string and file:line.
#pragma once

#include <stdexcept>

namespace sp::kernels::cuda {

class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws CudaError("<library> call '<call>' failed: <what> (<file>:<line>)"). Called by the
// SP_CUDA_CHECK family of macros in cuda_check.h.
[[noreturn]] void throw_cuda_error(const char* library, const char* call, const char* what, const char* file,
                                   int line);

}  // namespace sp::kernels::cuda
