#include "kernels/cuda/error.h"

#include <fmt/format.h>

namespace sp::kernels::cuda {

void throw_cuda_error(const char* library, const char* call, const char* what, const char* file, int line) {
  throw CudaError(fmt::format("{} call '{}' failed: {} ({}:{})", library, call, what, file, line));
}

}  // namespace sp::kernels::cuda
