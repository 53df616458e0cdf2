// Every kernel of kernels/cuda against its CPU reference in kernels/cpu (STYLE habit 7), and the
// cuBLAS GEMM against a naive loop, on random inputs over ragged shapes. One line per case with
// its max error and tolerance. Exits 77 (ctest: skipped) when no GPU is visible: on a machine
// without one nothing here has run, and nothing is reported as passed.
//
// Error measure (as shardplan-run --check): max over elements of |gpu - ref| / (1 + |ref|).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kernels/cpu/activation.h"
#include "kernels/cpu/attention.h"
#include "kernels/cpu/embedding.h"
#include "kernels/cpu/norm.h"
#include "kernels/cpu/rotary.h"
#include "kernels/cuda/activation.h"
#include "kernels/cuda/attention.h"
#include "kernels/cuda/buffer.h"
#include "kernels/cuda/embedding.h"
#include "kernels/cuda/gemm.h"
#include "kernels/cuda/norm.h"
#include "kernels/cuda/rotary.h"
#include "runtime/cuda/device.h"

namespace kc = sp::kernels::cuda;
namespace kr = sp::kernels;
using kc::DeviceArray;

namespace {

// Per-op tolerances, on |gpu - ref| / (1 + |ref|). fp32 kernels differ from the CPU only by
// summation order and a few ulp in expf/sincosf/rsqrt: 1e-5 leaves a margin of ~50x.
constexpr double kTolElementwise = 1e-5;
constexpr double kTolAttention = 2e-5;   // sums over up to ~3000 keys
constexpr double kTolGemmFp32 = 1e-4;    // k up to 1024 products, different order from the loop
constexpr double kTolGemmBf16 = 1e-4;    // same inputs (bf16-rounded) for both sides, fp32 sums
constexpr double kTolGemmTf32 = 3e-2;    // inputs rounded to a 10-bit mantissa inside cuBLAS
// Rotary at large positions: the angle pos * freq is a float product on both sides, and one ulp
// of freq (GPU pow vs glibc powf, rarely) moves it by pos * 2^-24 rad; allow two such ulps.
double rotary_tol(int max_pos) { return kTolElementwise + 2.0 * max_pos * std::ldexp(1.0, -24); }

int g_failures = 0, g_cases = 0;

void report(const std::string& name, double err, double tol) {
  ++g_cases;
  const bool ok = err <= tol;  // NaN fails
  if (!ok) ++g_failures;
  std::printf("%-6s %-70s max err %.3g (tol %.1g)\n", ok ? "ok" : "FAILED", name.c_str(), err, tol);
}

double max_err(std::span<const float> got, std::span<const float> ref) {
  if (got.size() != ref.size()) return INFINITY;
  double e = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double d = std::fabs(double(got[i]) - double(ref[i])) / (1.0 + std::fabs(double(ref[i])));
    if (!(d <= e)) e = d;  // keeps a NaN
  }
  return e;
}

std::mt19937 g_rng(12345);

std::vector<float> random_vec(size_t n, float scale = 1.0f) {
  std::uniform_real_distribution<float> u(-scale, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = u(g_rng);
  return v;
}

template <class T>
DeviceArray<T> dev(const std::vector<T>& v) {
  return kc::to_device(std::span<const T>(v));
}

void test_rmsnorm() {
  for (int rows : {1, 3, 17})
    for (int h : {64, 1000, 4096}) {
      auto x = random_vec(size_t(rows) * h, 2.0f), res = random_vec(size_t(rows) * h), w = random_vec(size_t(h));
      auto dx = dev(x), dres = dev(res), dw = dev(w);
      kc::residual_rmsnorm(dx.data(), dres.data(), dw.data(), rows, h, 1e-5f, nullptr);
      kr::residual_rmsnorm(x, res, w, rows, 1e-5f);
      const double e = std::max(max_err(kc::to_host(dx), x), max_err(kc::to_host(dres), res));
      report(fmt::format("residual_rmsnorm rows={} h={}", rows, h), e, kTolElementwise);
    }
}

void test_rotary() {
  for (int max_pos : {63, 4095})
    for (int rows : {1, 3, 17})
      for (int d : {64, 128})
        for (int heads : {1, 4}) {
          const int offset = heads == 1 ? 0 : 32, stride = offset + heads * d + 16;  // a suffix left alone too
          auto x = random_vec(size_t(rows) * stride);
          std::vector<int> p(static_cast<size_t>(rows));
          std::uniform_int_distribution<int> pos(0, max_pos);
          for (auto& v : p) v = pos(g_rng);
          for (float theta : {10000.0f, 500000.0f}) {
            auto dx = dev(x);
            auto dp = dev(p);
            auto ref = x;
            kc::rotary_apply(dx.data(), rows, stride, offset, heads, d, dp.data(), theta, nullptr);
            kr::rotary_apply(ref, rows, stride, offset, heads, d, p, theta);
            report(fmt::format("rotary rows={} d={} heads={} offset={} theta={} pos<={}", rows, d, heads, offset,
                               theta, max_pos),
                   max_err(kc::to_host(dx), ref), rotary_tol(max_pos));
          }
        }
}

void test_silu_mul() {
  for (int rows : {1, 3, 17})
    for (int f : {1, 300, 2816}) {
      auto gu = random_vec(size_t(rows) * 2 * f, 8.0f);
      std::vector<float> ref(size_t(rows) * f);
      DeviceArray<float> dout(ref.size());
      auto dgu = dev(gu);
      kc::silu_mul(dgu.data(), dout.data(), rows, f, nullptr);
      kr::silu_mul(gu, ref, rows, f);
      report(fmt::format("silu_mul rows={} f_r={}", rows, f), max_err(kc::to_host(dout), ref), kTolElementwise);
    }
}

void test_embedding_argmax() {
  // Rank 1 of 4 over V = 1000: rows [250, 500); tokens from the whole vocabulary, so most are zero rows.
  for (int n : {1, 3, 17})
    for (int h : {64, 300}) {
      const int64_t vocab = 1000, begin = 250, rows = 250;
      std::uniform_int_distribution<int32_t> tok(0, int32_t(vocab - 1));
      std::vector<int32_t> tokens(static_cast<size_t>(n));
      for (auto& t : tokens) t = tok(g_rng);
      tokens[0] = int32_t(begin);  // first and last owned rows, always
      if (n > 1) tokens[1] = int32_t(begin + rows - 1);
      auto table = random_vec(size_t(rows) * h);
      std::vector<float> ref(size_t(n) * h);
      DeviceArray<float> dout(ref.size());
      auto dt = dev(tokens);
      auto dtab = dev(table);
      kc::embedding_lookup(dt.data(), n, dtab.data(), begin, rows, h, dout.data(), nullptr);
      kr::embedding_lookup(tokens, table, begin, rows, h, ref);
      report(fmt::format("embedding_lookup tokens={} h={} (exact)", n, h), max_err(kc::to_host(dout), ref), 0.0);
    }
  for (int rows : {1, 3, 17})
    for (int64_t vocab : {int64_t(1), int64_t(1000), int64_t(32000), int64_t(128256)}) {
      auto logits = random_vec(size_t(rows) * size_t(vocab));
      if (vocab > 1) {
        // Ties: row 0 holds its maximum twice (the lower index must win), the last row is all equal.
        logits[size_t(vocab / 2)] = 2.0f;
        logits[size_t(vocab - 1)] = 2.0f;
        if (rows > 1) std::fill(logits.end() - vocab, logits.end(), 0.5f);
      }
      std::vector<int32_t> ref(static_cast<size_t>(rows));
      DeviceArray<int32_t> dout(ref.size());
      auto dl = dev(logits);
      kc::argmax_rows(dl.data(), rows, vocab, dout.data(), nullptr);
      kr::argmax_rows(logits, rows, vocab, ref);
      const auto got = kc::to_host(dout);
      report(fmt::format("argmax_rows rows={} vocab={} (exact, ties to the lower index)", rows, vocab),
             got == ref ? 0.0 : 1.0, 0.0);
    }
}

struct HeadsCase {
  const char* what;
  kr::AttentionHeads hd;
};

// Group 1, 2 and 4, a TP rank holding a slice of the heads, a replicated KV head (t > k), and
// head dims that use every kernel instantiation (64, 128, 256) plus a ragged one (80).
std::vector<HeadsCase> heads_cases() {
  return {
      {"MHA g=1 d=64", {.heads = 4, .kv_heads = 4, .d = 64, .q_head0 = 0, .kv_head0 = 0, .group = 1}},
      {"GQA g=2 d=128", {.heads = 4, .kv_heads = 2, .d = 128, .q_head0 = 0, .kv_head0 = 0, .group = 2}},
      {"GQA g=4 d=80", {.heads = 8, .kv_heads = 2, .d = 80, .q_head0 = 0, .kv_head0 = 0, .group = 4}},
      {"TP rank 1/2 of a=8 k=4, d=64", {.heads = 4, .kv_heads = 2, .d = 64, .q_head0 = 4, .kv_head0 = 2, .group = 2}},
      {"TP rank 1/4 of a=8 k=2 (replicated KV), d=128",
       {.heads = 2, .kv_heads = 1, .d = 128, .q_head0 = 2, .kv_head0 = 0, .group = 4}},
      {"GQA g=2 d=256", {.heads = 2, .kv_heads = 1, .d = 256, .q_head0 = 0, .kv_head0 = 0, .group = 2}},
  };
}

// The CPU reference over a batch laid out as the executor and the CUDA launchers expect.
std::vector<float> attention_ref(const std::vector<float>& q, int q_stride, int q_len, int pos0,
                                 const std::vector<float>& k, const std::vector<float>& v, const kr::AttentionHeads& hd,
                                 int seqs, size_t seq_floats) {
  const size_t out_seq = size_t(q_len) * size_t(hd.heads * hd.d), q_seq = size_t(q_len) * size_t(q_stride);
  std::vector<float> out(out_seq * size_t(seqs));
  for (int s = 0; s < seqs; ++s)
    kr::attention_causal(std::span<const float>(q).subspan(size_t(s) * q_seq, q_seq), q_stride, q_len, pos0,
                         std::span<const float>(k).subspan(size_t(s) * seq_floats, seq_floats),
                         std::span<const float>(v).subspan(size_t(s) * seq_floats, seq_floats), hd,
                         std::span<float>(out).subspan(size_t(s) * out_seq, out_seq));
  return out;
}

void test_attention_prefill() {
  struct Len {
    int q_len, pos0, seqs;
  };
  for (const auto& hc : heads_cases())
    for (Len len : {Len{1, 0, 1}, Len{3, 0, 1}, Len{17, 0, 2}, Len{17, 5, 1}, Len{40, 100, 3}, Len{1, 37, 2}}) {
      const auto& hd = hc.hd;
      const int kvw = hd.kv_heads * hd.d, max_ctx = len.pos0 + len.q_len + 7;  // cache longer than the context
      const int q_stride = hd.heads * hd.d + 2 * kvw;                          // q inside a qkv row, as in the executor
      const size_t seq_floats = size_t(max_ctx) * size_t(kvw);
      auto q = random_vec(size_t(len.seqs) * size_t(len.q_len) * size_t(q_stride), 2.0f);
      auto k = random_vec(seq_floats * size_t(len.seqs), 2.0f), v = random_vec(seq_floats * size_t(len.seqs));
      const auto ref = attention_ref(q, q_stride, len.q_len, len.pos0, k, v, hd, len.seqs, seq_floats);
      DeviceArray<float> dout(ref.size());
      auto dq = dev(q), dk = dev(k), dv = dev(v);
      kc::attention_causal(dq.data(), q_stride, len.q_len, len.pos0, dk.data(), dv.data(), hd, dout.data(),
                           {.seqs = len.seqs, .cache_seq_floats = int64_t(seq_floats)}, nullptr);
      report(fmt::format("attention_causal {} q_len={} pos0={} seqs={}", hc.what, len.q_len, len.pos0, len.seqs),
             max_err(kc::to_host(dout), ref), kTolAttention);
    }
}

void test_attention_decode() {
  int split_cases = 0, single_cases = 0;
  for (const auto& hc : heads_cases())
    for (int pos0 : {0, 6, 1000, 3000})
      for (int seqs : {1, 4}) {
        const auto& hd = hc.hd;
        const int kvw = hd.kv_heads * hd.d, max_ctx = pos0 + 1 + 3, q_stride = hd.heads * hd.d + 2 * kvw;
        const size_t seq_floats = size_t(max_ctx) * size_t(kvw);
        auto q = random_vec(size_t(seqs) * size_t(q_stride), 2.0f);
        auto k = random_vec(seq_floats * size_t(seqs), 2.0f), v = random_vec(seq_floats * size_t(seqs));
        const auto ref = attention_ref(q, q_stride, 1, pos0, k, v, hd, seqs, seq_floats);
        const int splits = kc::attention_decode_splits(seqs, pos0, hd);
        (splits > 1 ? split_cases : single_cases)++;
        const size_t ws_bytes = kc::attention_decode_workspace_bytes(seqs, pos0, hd);
        kc::DeviceBuffer ws(ws_bytes);
        DeviceArray<float> dout(ref.size());
        auto dq = dev(q), dk = dev(k), dv = dev(v);
        kc::attention_decode(dq.data(), q_stride, pos0, dk.data(), dv.data(), hd, dout.data(),
                             {.seqs = seqs, .cache_seq_floats = int64_t(seq_floats)}, ws.data(), ws_bytes, nullptr);
        report(fmt::format("attention_decode {} pos0={} seqs={} splits={}", hc.what, pos0, seqs, splits),
               max_err(kc::to_host(dout), ref), kTolAttention);
      }
  // Both launch branches (one block per KV head, and split context + merge) must have run.
  report(fmt::format("attention_decode covered {} single-block and {} split cases", single_cases, split_cases),
         single_cases > 0 && split_cases > 0 ? 0.0 : 1.0, 0.0);
}

// Round to nearest even to bf16 and back, on the host, as __float2bfloat16_rn does (no NaNs here).
float bf16_round(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
  std::memcpy(&f, &u, 4);
  return f;
}

std::vector<float> gemm_ref(const std::vector<float>& x, const std::vector<float>& w, int m, int k, int n) {
  std::vector<float> y(size_t(m) * size_t(n));
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double acc = 0;
      for (int p = 0; p < k; ++p) acc += double(x[size_t(i) * k + p]) * double(w[size_t(p) * n + j]);
      y[size_t(i) * n + j] = float(acc);
    }
  return y;
}

void test_gemm() {
  kc::CublasGemm gemm;
  struct Shape {
    int m, k, n;
  };
  for (Shape s : {Shape{1, 64, 64}, Shape{3, 100, 257}, Shape{17, 512, 1536}, Shape{64, 1024, 1024}, Shape{2, 2048, 96}}) {
    auto x = random_vec(size_t(s.m) * s.k), w = random_vec(size_t(s.k) * s.n);
    const auto ref = gemm_ref(x, w, s.m, s.k, s.n);
    auto dx = dev(x), dw = dev(w);
    DeviceArray<float> dy(ref.size());
    gemm.gemm_fp32(dx.data(), dw.data(), dy.data(), s.m, s.k, s.n, nullptr);
    report(fmt::format("gemm fp32 m={} k={} n={}", s.m, s.k, s.n), max_err(kc::to_host(dy), ref), kTolGemmFp32);
    gemm.gemm_fp32(dx.data(), dw.data(), dy.data(), s.m, s.k, s.n, nullptr, kc::GemmMath::tf32);
    report(fmt::format("gemm tf32 m={} k={} n={}", s.m, s.k, s.n), max_err(kc::to_host(dy), ref), kTolGemmTf32);

    // bf16: the device converts, the reference uses the same rounded values.
    DeviceArray<uint16_t> bx(x.size()), bw(w.size());
    kc::convert_to_bf16(dx.data(), bx.data(), x.size(), nullptr);
    kc::convert_to_bf16(dw.data(), bw.data(), w.size(), nullptr);
    gemm.gemm_bf16(bx.data(), bw.data(), dy.data(), s.m, s.k, s.n, nullptr);
    for (auto& e : x) e = bf16_round(e);
    for (auto& e : w) e = bf16_round(e);
    report(fmt::format("gemm bf16 (fp32 accumulate) m={} k={} n={}", s.m, s.k, s.n),
           max_err(kc::to_host(dy), gemm_ref(x, w, s.m, s.k, s.n)), kTolGemmBf16);
  }
}

}  // namespace

int main() {
  std::string why;
  const auto devs = sp::cuda::devices(&why);
  if (devs.empty()) {
    std::printf("skipped: no CUDA device visible (%s); none of the CUDA kernel comparisons ran\n", why.c_str());
    return 77;
  }
  std::printf("GPU %d: %s, sm_%d%d\n", devs[0].index, devs[0].name.c_str(), devs[0].sm_major, devs[0].sm_minor);
  try {
    test_rmsnorm();
    test_rotary();
    test_silu_mul();
    test_embedding_argmax();
    test_attention_prefill();
    test_attention_decode();
    test_gemm();
    kc::stream_synchronize(nullptr);
  } catch (const std::exception& e) {
    std::printf("FAILED: %s\n", e.what());
    return 1;
  }
  std::printf("%d of %d cases passed\n", g_cases - g_failures, g_cases);
  return g_failures == 0 ? 0 : 1;
}
