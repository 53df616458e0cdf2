#include "kernels/cpu/activation.h"

#include <cmath>

#include "sim/common/error.h"

namespace sp::kernels {

void silu_mul(std::span<const float> gate_up, std::span<float> out, int rows, int f_r) {
  SP_ASSERT(gate_up.size() == size_t(rows) * 2 * size_t(f_r) && out.size() == size_t(rows) * size_t(f_r),
            "silu_mul: shape mismatch");
  for (int r = 0; r < rows; ++r) {
    const float* g = gate_up.data() + size_t(r) * 2 * size_t(f_r);
    const float* u = g + f_r;
    float* o = out.data() + size_t(r) * size_t(f_r);
    for (int i = 0; i < f_r; ++i) o[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
  }
}

}  // namespace sp::kernels
