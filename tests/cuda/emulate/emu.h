// CPU emulation of the CUDA execution model, to check the indexing and synchronisation of
// kernels/cuda on a machine without a GPU (run.sh). One std::thread per CUDA thread; blocks run
// one after another, so a `static` array (what run.sh turns __shared__ into) is the block's
// shared memory; __syncthreads and warp shuffles are real barriers, so a divergent barrier
// hangs here as it would misbehave on a GPU. Dynamic shared memory starts as NaN bytes.
// What it cannot show: GPU math-library accuracy (glibc's expf/sincosf/pow run here), memory
// ordering beyond barriers, timing, and anything of cuBLAS beyond its documented semantics.
#pragma once
#include <algorithm>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

struct dim3 {
  unsigned x = 1, y = 1, z = 1;
  dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {}
};
struct emu_uint3 { unsigned x = 0, y = 0, z = 0; };
inline thread_local emu_uint3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
using std::max;
using std::min;
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline unsigned char* g_emu_dyn_smem = nullptr;
inline std::barrier<>* g_emu_block_bar = nullptr;
inline std::vector<std::unique_ptr<std::barrier<>>> g_emu_warp_bar;
inline std::vector<uint64_t> g_emu_slots;
inline void __syncthreads() { g_emu_block_bar->arrive_and_wait(); }
template <class T>
T emu_shfl(T v, int src) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  std::memcpy(&g_emu_slots[size_t(warp * 32 + lane)], &v, sizeof(T));
  g_emu_warp_bar[size_t(warp)]->arrive_and_wait();
  T r;
  std::memcpy(&r, &g_emu_slots[size_t(warp * 32 + (src & 31))], sizeof(T));
  g_emu_warp_bar[size_t(warp)]->arrive_and_wait();
  return r;
}
template <class T> T __shfl_xor_sync(unsigned, T v, int o) { return emu_shfl(v, int(threadIdx.x & 31) ^ o); }
template <class T> T __shfl_sync(unsigned, T v, int src) { return emu_shfl(v, src); }

inline uint16_t __float2bfloat16_rn(float f) {
  uint32_t u; std::memcpy(&u, &f, 4);
  u = u + 0x7fffu + ((u >> 16) & 1u);
  return uint16_t(u >> 16);
}
inline uint16_t __bfloat16_as_ushort(uint16_t x) { return x; }

inline int g_emu_launches = 0;
template <class... KArgs, class... Args>
void emu_launch(void (*k)(KArgs...), dim3 grid, dim3 block, size_t smem, void*, Args&&... args) {
  ++g_emu_launches;
  if (block.x % 32 != 0 || block.x > 1024 || block.y != 1 || block.z != 1) { std::fprintf(stderr, "emu: bad block %u\n", block.x); std::abort(); }
  blockDim = block; gridDim = grid;
  std::vector<unsigned char> dyn(smem + 1, 0xff);  // NaN-ish garbage, as uninitialised shared memory may be
  g_emu_dyn_smem = dyn.data();
  const unsigned n = block.x, warps = n / 32;
  g_emu_slots.assign(n, 0);
  for (unsigned z = 0; z < grid.z; ++z)
    for (unsigned y = 0; y < grid.y; ++y)
      for (unsigned x = 0; x < grid.x; ++x) {
        std::barrier<> bb(n);
        g_emu_block_bar = &bb;
        g_emu_warp_bar.clear();
        for (unsigned w = 0; w < warps; ++w) g_emu_warp_bar.push_back(std::make_unique<std::barrier<>>(32));
        std::vector<std::thread> ts;
        ts.reserve(n);
        for (unsigned t = 0; t < n; ++t)
          ts.emplace_back([&, t] {
            threadIdx = {t, 0, 0};
            blockIdx = {x, y, z};
            k(args...);
          });
        for (auto& th : ts) th.join();
      }
}
