#include "kernels/cpu/rotary.h"

#include <cmath>
#include <vector>

#include "sim/common/error.h"

namespace sp::kernels {

void rotary_apply(std::span<float> x, int rows, int stride, int offset, int heads, int d,
                  std::span<const int> positions, float theta) {
  SP_ASSERT(d % 2 == 0 && positions.size() == size_t(rows), "rotary_apply: odd head dim or positions mismatch");
  SP_ASSERT(x.size() >= size_t(rows) * size_t(stride) && offset + heads * d <= stride, "rotary_apply: shape");
  const int half = d / 2;
  std::vector<float> inv_freq(static_cast<size_t>(half));
  for (int i = 0; i < half; ++i) inv_freq[size_t(i)] = std::pow(theta, -2.0f * float(i) / float(d));
  std::vector<float> c(static_cast<size_t>(half)), s(static_cast<size_t>(half));
  for (int r = 0; r < rows; ++r) {
    for (int i = 0; i < half; ++i) {
      const float a = float(positions[size_t(r)]) * inv_freq[size_t(i)];
      c[size_t(i)] = std::cos(a);
      s[size_t(i)] = std::sin(a);
    }
    for (int hd = 0; hd < heads; ++hd) {
      float* v = x.data() + size_t(r) * size_t(stride) + size_t(offset + hd * d);
      for (int i = 0; i < half; ++i) {
        const float lo = v[i], hi = v[i + half];
        v[i] = lo * c[size_t(i)] - hi * s[size_t(i)];
        v[i + half] = hi * c[size_t(i)] + lo * s[size_t(i)];
      }
    }
  }
}

}  // namespace sp::kernels
