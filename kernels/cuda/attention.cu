// Causal GQA attention, fp32, online softmax (one pass over the keys, the running max m and
// denominator l per query row rescaling the accumulator), K/V staged in shared memory.
//
// Variants and launch configurations:
//  - attention_causal (prefill): grid = (ceil(q_len / 16), heads, seqs), block = 128 threads
//    (4 warps x 4 query rows). A block's 16 rows are consecutive positions of one head, so they
//    share the KV tiles; it reads keys 0 .. pos0 + its last row, 32 per tile.
//  - attention_decode: grid = (kv_heads, splits, seqs), block = 32 x ceil(rows / 4) threads,
//    rows = the query heads of the rank that read this KV head (at most `group`), so one block
//    loads each K/V row once for the whole group. With splits > 1 each block covers a slice of
//    the context and writes (o unnormalised, m, l) to the workspace; decode_merge_kernel
//    (grid = (heads, seqs), block = d rounded up to a warp) combines the slices.
//
// Inside a 32-key tile, lane j scores key j against the row's query (the query is broadcast from
// shared memory, the K tile is padded to an odd row stride so the 32 lanes hit 32 banks), the
// warp reduces max and sum by shuffles, then each lane accumulates its d/32 output dimensions
// over the tile's keys with p_j broadcast by shuffle. Keys beyond a row's causal limit get p = 0.
// Out-of-range tile rows are zero-filled so that 0 * garbage can never make a NaN.
#include "kernels/cuda/attention.h"

#include <algorithm>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/reduce.cuh"
#include "sim/common/error.h"

namespace sp::kernels::cuda {
namespace {

constexpr int kKeysPerTile = 32;  // one key per lane when scoring
constexpr int kRowsPerWarp = 4;   // query rows a warp carries; 4 x d/32 accumulators in registers
constexpr int kPrefillWarps = 4;
constexpr int kPrefillRows = kPrefillWarps * kRowsPerWarp;
constexpr int kDecodeMaxWarps = 8;                 // so group <= 32
constexpr int kDecodeTargetBlocks = 256;           // about 2 blocks per SM on an A100 (108) or H100 (132)
constexpr int kDecodeMinKeysPerSplit = 128;        // below this a split costs more than it saves
constexpr int kDecodeMaxSplits = 64;
constexpr unsigned kFull = 0xffffffffu;

struct Shape {
  const float* q;
  int q_stride, q_len, pos0;
  const float* k;
  const float* v;
  int64_t cache_seq_floats;
  AttentionHeads hd;
  float* out;
  float* partial;  // decode with splits > 1: [seqs, heads, splits, d + 2]
  int splits, keys_per_split;
};

size_t smem_bytes(int rows, int d) {
  return sizeof(float) * (size_t(rows) * d + size_t(kKeysPerTile) * (d + 1) + size_t(kKeysPerTile) * d);
}

// The block's rows (warp w owns rows 4w .. 4w+3, their scaled queries in qs[row][d]) attend to
// keys [k_begin, k_end) of one KV head (kh, vh point at position 0 of that head's column block).
// limit[r] is the last position row r may see (-1: no row). Every thread of the block calls it.
template <int DPL>
__device__ void attend(const float* kh, const float* vh, int kv_width, int d, int k_begin, int k_end,
                       const float* qs, float* ks, float* vs, const int (&limit)[kRowsPerWarp],
                       float (&o)[kRowsPerWarp][DPL], float (&m)[kRowsPerWarp], float (&l)[kRowsPerWarp]) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, ks_stride = d + 1;  // d even: stride odd
  for (int kt = k_begin; kt < k_end; kt += kKeysPerTile) {
    const int nk = min(kKeysPerTile, k_end - kt);
    __syncthreads();  // the previous tile is consumed
    for (int idx = threadIdx.x; idx < kKeysPerTile * d; idx += blockDim.x) {
      const int j = idx / d, c = idx - j * d;
      float kval = 0.0f, vval = 0.0f;
      if (j < nk) {
        const size_t g = size_t(kt + j) * size_t(kv_width) + size_t(c);
        kval = kh[g];
        vval = vh[g];
      }
      ks[j * ks_stride + c] = kval;
      vs[j * d + c] = vval;
    }
    __syncthreads();
#pragma unroll
    for (int r = 0; r < kRowsPerWarp; ++r) {
      const int last = min(limit[r], kt + nk - 1);  // the row's last key in this tile
      if (last < kt) continue;                       // same for the whole warp
      const int key = kt + lane;
      const float* qr = qs + (warp * kRowsPerWarp + r) * d;
      float s = -INFINITY;
      if (key <= last) {
        const float* kr = ks + lane * ks_stride;
        float acc = 0.0f;
        for (int c = 0; c < d; ++c) acc = fmaf(qr[c], kr[c], acc);
        s = acc;
      }
      const float m_new = fmaxf(m[r], detail::warp_max(s));  // finite: key kt <= last is scored
      const float p = key <= last ? expf(s - m_new) : 0.0f;
      const float corr = expf(m[r] - m_new);  // 0 on the row's first tile, where m = -inf
      l[r] = l[r] * corr + detail::warp_sum(p);
#pragma unroll
      for (int c = 0; c < DPL; ++c) o[r][c] *= corr;
      const int n = last - kt + 1;
      for (int j = 0; j < n; ++j) {
        const float pj = __shfl_sync(kFull, p, j);
#pragma unroll
        for (int c = 0; c < DPL; ++c) {
          const int dim = lane + 32 * c;
          if (dim < d) o[r][c] = fmaf(pj, vs[j * d + dim], o[r][c]);
        }
      }
      m[r] = m_new;
    }
  }
}

template <int DPL>
__device__ void init_rows(float (&o)[kRowsPerWarp][DPL], float (&m)[kRowsPerWarp], float (&l)[kRowsPerWarp]) {
#pragma unroll
  for (int r = 0; r < kRowsPerWarp; ++r) {
    m[r] = -INFINITY;
    l[r] = 0.0f;
#pragma unroll
    for (int c = 0; c < DPL; ++c) o[r][c] = 0.0f;
  }
}

template <int DPL>
__global__ void __launch_bounds__(kPrefillWarps * 32) prefill_kernel(Shape s) {
  extern __shared__ float smem[];
  const int d = s.hd.d, head = blockIdx.y, i0 = blockIdx.x * kPrefillRows;
  const size_t seq = blockIdx.z;
  float* qs = smem;
  float* ks = qs + kPrefillRows * d;
  float* vs = ks + kKeysPerTile * (d + 1);
  const float scale = 1.0f / sqrtf(float(d));  // as the CPU computes it (IEEE sqrt and division)
  const float* q = s.q + seq * size_t(s.q_len) * size_t(s.q_stride);
  for (int idx = threadIdx.x; idx < kPrefillRows * d; idx += blockDim.x) {
    const int r = idx / d, c = idx - r * d, i = i0 + r;
    qs[idx] = i < s.q_len ? q[size_t(i) * size_t(s.q_stride) + size_t(head * d + c)] * scale : 0.0f;
  }
  const int kv_width = s.hd.kv_heads * d, kvh = kv_head_of(s.hd, head);
  const float* kh = s.k + seq * size_t(s.cache_seq_floats) + size_t(kvh * d);
  const float* vh = s.v + seq * size_t(s.cache_seq_floats) + size_t(kvh * d);
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  int limit[kRowsPerWarp];
#pragma unroll
  for (int r = 0; r < kRowsPerWarp; ++r) {
    const int i = i0 + warp * kRowsPerWarp + r;
    limit[r] = i < s.q_len ? s.pos0 + i : -1;
  }
  float o[kRowsPerWarp][DPL], m[kRowsPerWarp], l[kRowsPerWarp];
  init_rows(o, m, l);
  const int k_end = s.pos0 + min(i0 + kPrefillRows, s.q_len);
  attend<DPL>(kh, vh, kv_width, d, 0, k_end, qs, ks, vs, limit, o, m, l);
  const int out_w = s.hd.heads * d;
#pragma unroll
  for (int r = 0; r < kRowsPerWarp; ++r) {
    if (limit[r] < 0) continue;
    const int i = i0 + warp * kRowsPerWarp + r;
    float* dst = s.out + (seq * size_t(s.q_len) + size_t(i)) * size_t(out_w) + size_t(head * d);
    const float inv = 1.0f / l[r];
#pragma unroll
    for (int c = 0; c < DPL; ++c)
      if (lane + 32 * c < d) dst[lane + 32 * c] = o[r][c] * inv;
  }
}

// The rank-local query heads [lo, hi) that read rank-local KV head kvh (kv_head_of inverted).
__device__ inline void heads_of_kv(const AttentionHeads& hd, int kvh, int& lo, int& hi) {
  const int g0 = (kvh + hd.kv_head0) * hd.group - hd.q_head0;
  lo = max(0, g0);
  hi = min(hd.heads, g0 + hd.group);
}

template <int DPL>
__global__ void __launch_bounds__(kDecodeMaxWarps * 32) decode_kernel(Shape s) {
  extern __shared__ float smem[];
  const int d = s.hd.d, kvh = blockIdx.x, split = blockIdx.y;
  const size_t seq = blockIdx.z;
  int lo, hi;
  heads_of_kv(s.hd, kvh, lo, hi);
  if (hi <= lo) return;  // a KV head no local query head reads: the whole block leaves
  const int rows = int(blockDim.x >> 5) * kRowsPerWarp;
  float* qs = smem;
  float* ks = qs + rows * d;
  float* vs = ks + kKeysPerTile * (d + 1);
  const float scale = 1.0f / sqrtf(float(d));
  const float* q = s.q + seq * size_t(s.q_stride);
  for (int idx = threadIdx.x; idx < rows * d; idx += blockDim.x) {
    const int r = idx / d, c = idx - r * d;
    qs[idx] = lo + r < hi ? q[size_t((lo + r) * d + c)] * scale : 0.0f;
  }
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  int limit[kRowsPerWarp];
#pragma unroll
  for (int r = 0; r < kRowsPerWarp; ++r) limit[r] = lo + warp * kRowsPerWarp + r < hi ? s.pos0 : -1;
  float o[kRowsPerWarp][DPL], m[kRowsPerWarp], l[kRowsPerWarp];
  init_rows(o, m, l);
  const int k_begin = split * s.keys_per_split, k_end = min(s.pos0 + 1, k_begin + s.keys_per_split);
  const float* kh = s.k + seq * size_t(s.cache_seq_floats) + size_t(kvh * d);
  const float* vh = s.v + seq * size_t(s.cache_seq_floats) + size_t(kvh * d);
  attend<DPL>(kh, vh, s.hd.kv_heads * d, d, k_begin, k_end, qs, ks, vs, limit, o, m, l);
#pragma unroll
  for (int r = 0; r < kRowsPerWarp; ++r) {
    if (limit[r] < 0) continue;
    const int head = lo + warp * kRowsPerWarp + r;
    if (s.splits == 1) {
      float* dst = s.out + seq * size_t(s.hd.heads * d) + size_t(head * d);
      const float inv = 1.0f / l[r];
#pragma unroll
      for (int c = 0; c < DPL; ++c)
        if (lane + 32 * c < d) dst[lane + 32 * c] = o[r][c] * inv;
    } else {
      float* dst = s.partial + ((seq * size_t(s.hd.heads) + size_t(head)) * size_t(s.splits) + size_t(split)) * size_t(d + 2);
#pragma unroll
      for (int c = 0; c < DPL; ++c)
        if (lane + 32 * c < d) dst[lane + 32 * c] = o[r][c];
      if (lane == 0) {
        dst[d] = m[r];
        dst[d + 1] = l[r];
      }
    }
  }
}

// out = sum_s o_s e^(m_s - M) / sum_s l_s e^(m_s - M), M = max_s m_s; every split holds at least
// one key, so every m_s is finite.
__global__ void decode_merge_kernel(const float* partial, int splits, int heads, int d, float* out) {
  const int dim = threadIdx.x, head = blockIdx.x;
  const size_t seq = blockIdx.y;
  if (dim >= d) return;
  const float* p = partial + (seq * size_t(heads) + size_t(head)) * size_t(splits) * size_t(d + 2);
  float mx = -INFINITY;
  for (int i = 0; i < splits; ++i) mx = fmaxf(mx, p[size_t(i) * (d + 2) + d]);
  float num = 0.0f, den = 0.0f;
  for (int i = 0; i < splits; ++i) {
    const float* pi = p + size_t(i) * (d + 2);
    const float w = expf(pi[d] - mx);
    num = fmaf(pi[dim], w, num);
    den = fmaf(pi[d + 1], w, den);
  }
  out[seq * size_t(heads * d) + size_t(head * d + dim)] = num / den;
}

struct Split {
  int splits = 1, keys_per_split = 0;
};

Split decode_split(int seqs, int pos0, const AttentionHeads& hd) {
  const int ctx = pos0 + 1, blocks = std::max(1, seqs * hd.kv_heads);
  int want = std::min({(kDecodeTargetBlocks + blocks - 1) / blocks, (ctx + kDecodeMinKeysPerSplit - 1) / kDecodeMinKeysPerSplit,
                       kDecodeMaxSplits});
  want = std::max(want, 1);
  // Whole tiles per split, then as many splits as it takes, so that none is empty.
  const int per = ((ctx + want - 1) / want + kKeysPerTile - 1) / kKeysPerTile * kKeysPerTile;
  return Split{(ctx + per - 1) / per, per};
}

void check_shape(const AttentionHeads& hd, const AttentionBatch& b, int pos0, const char* who) {
  SP_ASSERT(hd.d > 0 && hd.d % 2 == 0 && hd.d <= kAttentionMaxHeadDim, who);
  SP_ASSERT(hd.heads > 0 && hd.kv_heads > 0 && hd.group > 0 && pos0 >= 0 && b.seqs >= 1, who);
  SP_ASSERT(b.seqs == 1 || b.cache_seq_floats >= int64_t(pos0 + 1) * hd.kv_heads * hd.d, who);
  // kv_head_of is monotonic in h: checking the first and last head covers them all.
  SP_ASSERT(kv_head_of(hd, 0) >= 0 && kv_head_of(hd, hd.heads - 1) < hd.kv_heads,
            "cuda attention: a query head maps outside the rank's KV heads");
}

template <class Kernel>
void launch(Kernel kernel, dim3 grid, int threads, size_t smem, const Shape& s, cudaStream_t stream) {
  // Above 48 KB (prefill: d > 153; decode with 32 rows: d > 127) a kernel must opt in to the
  // larger shared memory of sm_80 (164 KB) and sm_90 (228 KB); the largest here is 98 KB.
  if (smem > 48 * 1024) SP_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem)));
  kernel<<<grid, threads, smem, stream>>>(s);
  SP_CUDA_CHECK_LAUNCH();
}

}  // namespace

void attention_causal(const float* q, int q_stride, int q_len, int pos0, const float* k_cache, const float* v_cache,
                      const AttentionHeads& hd, float* out, const AttentionBatch& batch, cudaStream_t stream) {
  check_shape(hd, batch, pos0 + q_len - 1, "cuda attention_causal: bad shape (d even and <= 256?)");
  SP_ASSERT(q_len >= 0 && q_stride >= hd.heads * hd.d, "cuda attention_causal: q shape");
  if (q_len == 0) return;
  const Shape s{q, q_stride, q_len, pos0, k_cache, v_cache, batch.cache_seq_floats, hd, out, nullptr, 1, 0};
  const dim3 grid((q_len + kPrefillRows - 1) / kPrefillRows, hd.heads, batch.seqs);
  const size_t smem = smem_bytes(kPrefillRows, hd.d);
  const int threads = kPrefillWarps * 32;
  if (hd.d <= 64) launch(prefill_kernel<2>, grid, threads, smem, s, stream);
  else if (hd.d <= 128) launch(prefill_kernel<4>, grid, threads, smem, s, stream);
  else launch(prefill_kernel<8>, grid, threads, smem, s, stream);
}

int attention_decode_splits(int seqs, int pos0, const AttentionHeads& hd) { return decode_split(seqs, pos0, hd).splits; }

size_t attention_decode_workspace_bytes(int seqs, int pos0, const AttentionHeads& hd) {
  const Split sp = decode_split(seqs, pos0, hd);
  return sp.splits == 1 ? 0 : sizeof(float) * size_t(seqs) * size_t(hd.heads) * size_t(sp.splits) * size_t(hd.d + 2);
}

void attention_decode(const float* q, int q_stride, int pos0, const float* k_cache, const float* v_cache,
                      const AttentionHeads& hd, float* out, const AttentionBatch& batch, void* workspace,
                      size_t workspace_bytes, cudaStream_t stream) {
  check_shape(hd, batch, pos0, "cuda attention_decode: bad shape (d even and <= 256?)");
  SP_ASSERT(hd.group <= kDecodeMaxWarps * kRowsPerWarp, "cuda attention_decode: group above 32 query heads per KV head");
  SP_ASSERT(q_stride >= hd.heads * hd.d, "cuda attention_decode: q shape");
  const Split sp = decode_split(batch.seqs, pos0, hd);
  SP_ASSERT(workspace_bytes >= attention_decode_workspace_bytes(batch.seqs, pos0, hd),
            "cuda attention_decode: workspace smaller than attention_decode_workspace_bytes");
  const Shape s{q, q_stride, 1, pos0, k_cache, v_cache, batch.cache_seq_floats, hd, out,
                static_cast<float*>(workspace), sp.splits, sp.keys_per_split};
  // Warps for the largest head count a KV head serves on this rank (at most `group`).
  const int rows = std::min(hd.group, hd.heads), warps = (rows + kRowsPerWarp - 1) / kRowsPerWarp;
  const dim3 grid(hd.kv_heads, sp.splits, batch.seqs);
  const size_t smem = smem_bytes(warps * kRowsPerWarp, hd.d);
  if (hd.d <= 64) launch(decode_kernel<2>, grid, warps * 32, smem, s, stream);
  else if (hd.d <= 128) launch(decode_kernel<4>, grid, warps * 32, smem, s, stream);
  else launch(decode_kernel<8>, grid, warps * 32, smem, s, stream);
  if (sp.splits > 1) {
    decode_merge_kernel<<<dim3(hd.heads, batch.seqs), (hd.d + 31) / 32 * 32, 0, stream>>>(
        static_cast<const float*>(workspace), sp.splits, hd.heads, hd.d, out);
    SP_CUDA_CHECK_LAUNCH();
  }
}

}  // namespace sp::kernels::cuda
