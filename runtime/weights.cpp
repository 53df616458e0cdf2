#include "runtime/weights.h"

#include <cmath>

#include <fmt/format.h>

#include "sim/common/error.h"

namespace sp {

namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Uniform in [-1, 1): a pure function of its arguments (counter-based, no state).
float synth(uint64_t seed, uint64_t tensor, uint64_t row, uint64_t col) {
  const uint64_t h = splitmix64(splitmix64(splitmix64(seed ^ (tensor << 40)) ^ row) ^ (col * 0x2545f4914f6cdd1dULL));
  return float(double(h >> 11) * (2.0 / 9007199254740992.0) - 1.0);
}

// Tensor ids: 16 per layer plus the stack's own.
enum Tensor : uint64_t { kQ, kK, kV, kO, kGate, kUp, kDown, kInNorm, kPostNorm };
constexpr uint64_t kEmbed = 1ULL << 20, kFinalNorm = kEmbed + 1, kLmHead = kEmbed + 2;
uint64_t layer_tensor(int layer, Tensor t) { return uint64_t(layer) * 16 + t; }

// Appends the columns [c0, c0 + nc) of the full [rows, *] tensor to `out`'s rows, row-major,
// where `out` has `width` columns and the block starts at column `at`.
void fill_cols(std::vector<float>& out, int64_t width, int64_t at, uint64_t seed, uint64_t tensor, int64_t rows,
               int64_t c0, int64_t nc, float scale) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < nc; ++c) out[size_t(r * width + at + c)] = scale * synth(seed, tensor, uint64_t(r), uint64_t(c0 + c));
}

std::vector<float> norm_weight(uint64_t seed, uint64_t tensor, int64_t h) {
  std::vector<float> w(static_cast<size_t>(h));
  for (int64_t i = 0; i < h; ++i) w[size_t(i)] = 1.0f + 0.1f * synth(seed, tensor, 0, uint64_t(i));
  return w;
}

}  // namespace

RankShape rank_shape(const ModelConfig& m, int tp, int tp_rank) {
  if (m.is_moe() || m.is_mla() || m.qkv_bias) {
    throw InputError(fmt::format("model '{}': the runtime runs dense Llama-style models only (no MoE, MLA or "
                                 "q/k/v biases yet); use a tiny-llama-* model",
                                 m.name));
  }
  auto need = [&](int64_t n, const char* what) {
    if (n % tp != 0) {
      throw InputError(fmt::format("model '{}': {} = {} is not divisible by tp = {}; choose a tp that divides it",
                                   m.name, what, n, tp));
    }
  };
  need(m.num_heads, "num_attention_heads");
  need(m.ffn, "intermediate_size");
  need(m.vocab, "vocab_size");
  if (m.num_kv_heads % tp != 0 && tp % m.num_kv_heads != 0) {
    throw InputError(fmt::format("model '{}': num_key_value_heads = {} and tp = {}: one must divide the other",
                                 m.name, m.num_kv_heads, tp));
  }
  RankShape rs;
  rs.tp = tp;
  rs.tp_rank = tp_rank;
  rs.heads = m.num_heads / tp;
  rs.kv_heads = (m.num_kv_heads + tp - 1) / tp;
  rs.q_head0 = tp_rank * rs.heads;
  rs.kv_head0 = rs.q_head0 * m.num_kv_heads / m.num_heads;
  rs.d = m.head_dim;
  rs.ffn = m.ffn / tp;
  rs.vocab = m.vocab / tp;
  return rs;
}

StageWeights weights_materialise(const ModelConfig& m, const RankShape& rs, int first_layer, int num_layers,
                                 bool first_stage, bool last_stage, uint64_t seed) {
  const int64_t h = m.hidden, d = rs.d, ad = rs.heads * d, kd = rs.kv_heads * d, f = rs.ffn, V = rs.vocab;
  // Uniform(-1, 1) has variance 1/3; scaling by sqrt(3 / in) keeps activations near unit size.
  auto gemm_scale = [](int64_t in) { return float(std::sqrt(3.0 / double(in))); };
  StageWeights w;
  if (first_stage) {
    w.embedding.resize(size_t(V * h));
    for (int64_t r = 0; r < V; ++r)
      for (int64_t c = 0; c < h; ++c)
        w.embedding[size_t(r * h + c)] = synth(seed, kEmbed, uint64_t(rs.tp_rank * V + r), uint64_t(c));
  }
  for (int i = 0; i < num_layers; ++i) {
    const int l = first_layer + i;
    LayerWeights lw;
    lw.input_norm = norm_weight(seed, layer_tensor(l, kInNorm), h);
    lw.post_norm = norm_weight(seed, layer_tensor(l, kPostNorm), h);
    const int64_t qkv = rs.qkv_width();
    lw.qkv.resize(size_t(h * qkv));
    fill_cols(lw.qkv, qkv, 0, seed, layer_tensor(l, kQ), h, rs.q_head0 * d, ad, gemm_scale(h));
    fill_cols(lw.qkv, qkv, ad, seed, layer_tensor(l, kK), h, rs.kv_head0 * d, kd, gemm_scale(h));
    fill_cols(lw.qkv, qkv, ad + kd, seed, layer_tensor(l, kV), h, rs.kv_head0 * d, kd, gemm_scale(h));
    // Row splits: the rank's rows of the full tensor are rows [r0, r0 + n) with every column.
    lw.o.resize(size_t(ad * h));
    for (int64_t r = 0; r < ad; ++r)
      for (int64_t c = 0; c < h; ++c)
        lw.o[size_t(r * h + c)] = gemm_scale(m.num_heads * d) * synth(seed, layer_tensor(l, kO), uint64_t(rs.q_head0 * d + r), uint64_t(c));
    lw.gate_up.resize(size_t(h * 2 * f));
    fill_cols(lw.gate_up, 2 * f, 0, seed, layer_tensor(l, kGate), h, rs.tp_rank * f, f, gemm_scale(h));
    fill_cols(lw.gate_up, 2 * f, f, seed, layer_tensor(l, kUp), h, rs.tp_rank * f, f, gemm_scale(h));
    lw.down.resize(size_t(f * h));
    for (int64_t r = 0; r < f; ++r)
      for (int64_t c = 0; c < h; ++c)
        lw.down[size_t(r * h + c)] = gemm_scale(m.ffn) * synth(seed, layer_tensor(l, kDown), uint64_t(rs.tp_rank * f + r), uint64_t(c));
    w.layers.push_back(std::move(lw));
  }
  if (last_stage) {
    w.final_norm = norm_weight(seed, kFinalNorm, h);
    w.lm_head.resize(size_t(h * V));
    fill_cols(w.lm_head, V, 0, seed, kLmHead, h, rs.tp_rank * V, V, gemm_scale(h));
  }
  return w;
}

int32_t prompt_token(uint64_t seed, int64_t seq, int64_t pos, int64_t vocab) {
  return int32_t(splitmix64(splitmix64(seed ^ 0x70726f6d7074ULL) ^ (uint64_t(seq) << 32) ^ uint64_t(pos)) %
                 uint64_t(vocab));
}

}  // namespace sp
