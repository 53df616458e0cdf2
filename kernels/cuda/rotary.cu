// RoPE, rotate-half form. Launch: grid = rows, block = min(256, heads * d/2 rounded up to a
// warp) threads striding over the (head, pair) couples of the row; each thread rotates one pair
// (i, i + d/2), so consecutive threads touch consecutive columns (coalesced).
//
// Matching the CPU reference: the frequency theta^(-2i/d) is computed in double and rounded to
// float (glibc's powf is correctly rounded, CUDA's float powf is not), then the angle is the
// same float product as on the CPU, and sincosf (not the fast __sinf) keeps the error at a few
// ulp even at positions in the thousands.
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
    const float inv_freq = float(pow(double(theta), -2.0 * double(i) / double(d)));
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
