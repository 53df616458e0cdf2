// RoPE, rotate-half form. Launch: grid = rows, block = min(256, heads * d/2 rounded up to a
// warp) threads striding over the (head, pair) couples of the row; each thread rotates one pair
// (i, i + d/2), so consecutive threads touch consecutive columns (coalesced).
//
// Matching the CPU reference: the angle pos * theta^(-2i/d) is a float product, so at position
// 4096 one ulp of the frequency moves the angle by ~2.4e-4 rad. The exponent is therefore the
// same float expression as the CPU's, the power is taken in double and rounded to float (what
// glibc's powf returns but for rare last-ulp cases; CUDA's float powf is up to 2 ulp off), and
// sincosf (not the fast __sinf) stays accurate at large angles.
#include "kernels/cuda/rotary.h"

#include "kernels/cuda/cuda_check.h"
#include "sim/common/error.h"

namespace sp::kernels::cuda {
namespace {

__global__ void rotary_kernel(float* x, int stride, int offset, int heads, int d, const int* positions, float theta) {
  const int half = d / 2, r = blockIdx.x;
  const float pos = float(positions[r]);
  float* row = x + size_t(r) * size_t(stride) + offset;
  for (int j = threadIdx.x; j < heads * half; j += blockDim.x) {
    const int head = j / half, i = j - head * half;
    const float expo = -2.0f * float(i) / float(d);  // as kernels/cpu/rotary.cpp
    const float inv_freq = float(pow(double(theta), double(expo)));
    float s, c;
    sincosf(pos * inv_freq, &s, &c);
    float* v = row + head * d;
    const float lo = v[i], hi = v[i + half];
    v[i] = lo * c - hi * s;
    v[i + half] = hi * c + lo * s;
  }
}

}  // namespace

void rotary_apply(float* x, int rows, int stride, int offset, int heads, int d, const int* positions, float theta,
                  cudaStream_t stream) {
  SP_ASSERT(d > 0 && d % 2 == 0 && heads > 0 && offset >= 0 && offset + heads * d <= stride,
            "cuda rotary_apply: odd head dim or heads outside the row");
  if (rows == 0) return;
  const int pairs = heads * d / 2, threads = pairs >= 256 ? 256 : (pairs + 31) / 32 * 32;
  rotary_kernel<<<rows, threads, 0, stream>>>(x, stride, offset, heads, d, positions, theta);
  SP_CUDA_CHECK_LAUNCH();
}

}  // namespace sp::kernels::cuda
