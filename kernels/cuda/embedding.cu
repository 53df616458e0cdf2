// Embedding gather and argmax.
// embedding_lookup: grid = (n_tokens, ceil(h / 256)), block = 256; a block copies (or zeroes)
//   256 columns of one token's row, coalesced.
// argmax_rows: grid = rows, block = 1024 (fewer for a short vocabulary); a row (V = 32k-256k
//   logits) is one block's strided scan, then a shuffle reduction of (value, index) pairs that
//   prefers the lower index on equal values, so the result is the first maximum like the CPU's.
#include "kernels/cuda/embedding.h"

#include "kernels/cuda/cuda_check.h"
#include "sim/common/error.h"

namespace sp::kernels::cuda {
namespace {

__global__ void embedding_kernel(const int32_t* tokens, const float* table, int64_t vocab_begin, int64_t table_rows,
                                 int h, float* out) {
  const int col = blockIdx.y * blockDim.x + threadIdx.x;
  if (col >= h) return;
  const int64_t row = int64_t(tokens[blockIdx.x]) - vocab_begin;
  const bool owned = row >= 0 && row < table_rows;
  out[size_t(blockIdx.x) * size_t(h) + col] = owned ? table[size_t(row) * size_t(h) + col] : 0.0f;
}

// (v, i) beats (bv, bi) when larger, or equal with a lower index.
__device__ __forceinline__ void better(float& bv, int64_t& bi, float v, int64_t i) {
  if (v > bv || (v == bv && i < bi)) {
    bv = v;
    bi = i;
  }
}

__global__ void argmax_kernel(const float* logits, int64_t vocab, int32_t* out) {
  __shared__ float sv[32];
  __shared__ int64_t si[32];
  const float* l = logits + size_t(blockIdx.x) * size_t(vocab);
  float bv = -INFINITY;
  int64_t bi = vocab;  // beaten by any index on equal value, -inf included
  for (int64_t i = threadIdx.x; i < vocab; i += blockDim.x) better(bv, bi, l[i], i);
  for (int o = 16; o > 0; o >>= 1) better(bv, bi, __shfl_xor_sync(0xffffffffu, bv, o), __shfl_xor_sync(0xffffffffu, bi, o));
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) {
    sv[warp] = bv;
    si[warp] = bi;
  }
  __syncthreads();
  if (warp == 0) {
    bv = lane < int(blockDim.x >> 5) ? sv[lane] : -INFINITY;
    bi = lane < int(blockDim.x >> 5) ? si[lane] : vocab;
    for (int o = 16; o > 0; o >>= 1)
      better(bv, bi, __shfl_xor_sync(0xffffffffu, bv, o), __shfl_xor_sync(0xffffffffu, bi, o));
    if (lane == 0) out[blockIdx.x] = int32_t(bi);
  }
}

}  // namespace

void embedding_lookup(const int32_t* tokens, int n_tokens, const float* table, int64_t vocab_begin,
                      int64_t table_rows, int h, float* out, cudaStream_t stream) {
  SP_ASSERT(n_tokens >= 0 && h > 0 && table_rows >= 0, "cuda embedding_lookup: bad shape");
  if (n_tokens == 0) return;
  const dim3 grid(n_tokens, (h + 255) / 256);
  embedding_kernel<<<grid, 256, 0, stream>>>(tokens, table, vocab_begin, table_rows, h, out);
  SP_CUDA_CHECK_LAUNCH();
}

void argmax_rows(const float* logits, int rows, int64_t vocab, int32_t* out, cudaStream_t stream) {
  SP_ASSERT(rows >= 0 && vocab > 0 && vocab <= INT32_MAX, "cuda argmax_rows: bad shape");
  if (rows == 0) return;
  const int threads = vocab >= 1024 ? 1024 : int((vocab + 31) / 32 * 32);
  argmax_kernel<<<rows, threads, 0, stream>>>(logits, vocab, out);
  SP_CUDA_CHECK_LAUNCH();
}

}  // namespace sp::kernels::cuda
