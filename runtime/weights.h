// Synthetic weights of one rank's shard of a Llama-style decoder, from a fixed seed.
//
// Every element of every full (unsharded) tensor is a pure function of (seed, tensor, row,
// column), so a rank generates only its own slice, and the slices of a TP group are exactly
// the pieces of the tensor the unsharded reference uses: sharded and reference logits then
// differ only by the order of floating-point sums. Layouts are row-major [in, out] so that
// y = x * W; Megatron splits: QKV and gate/up by columns, O and down by rows, embedding by
// vocabulary rows, LM head by vocabulary columns.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/model/model_config.h"

namespace sp {

// Heads and widths of one TP rank (symbols of DESIGN.md).
struct RankShape {
  int tp = 1, tp_rank = 0;
  int heads = 0;       // a_r = a / t
  int kv_heads = 0;    // k_r = ceil(k / t)
  int q_head0 = 0;     // global index of the first query head
  int kv_head0 = 0;    // global index of the first KV head (replicated when t > k)
  int64_t d = 0;       // head dim
  int64_t ffn = 0;     // f_r = f / t
  int64_t vocab = 0;   // V_r = V / t
  int64_t qkv_width() const { return (heads + 2 * int64_t(kv_heads)) * d; }
};

// Throws InputError when the model cannot be split t ways by the runtime (f or V not divisible,
// heads not divisible, MoE or MLA architectures, which the runtime does not run yet).
RankShape rank_shape(const ModelConfig& m, int tp, int tp_rank);

struct LayerWeights {
  std::vector<float> input_norm;  // [h]
  std::vector<float> qkv;         // [h, (a_r + 2 k_r) d]: q heads, then k heads, then v heads
  std::vector<float> o;           // [a_r d, h]
  std::vector<float> post_norm;   // [h]
  std::vector<float> gate_up;     // [h, 2 f_r]: the rank's gate columns, then its up columns
  std::vector<float> down;        // [f_r, h]
};

struct StageWeights {
  std::vector<float> embedding;   // [V_r, h], first stage only
  std::vector<LayerWeights> layers;
  std::vector<float> final_norm;  // [h], last stage only
  std::vector<float> lm_head;     // [h, V_r], last stage only
};

StageWeights weights_materialise(const ModelConfig& m, const RankShape& rs, int first_layer, int num_layers,
                                 bool first_stage, bool last_stage, uint64_t seed);

// Prompt token i of sequence s: a pure function of the seed, the same on every rank.
int32_t prompt_token(uint64_t seed, int64_t seq, int64_t pos, int64_t vocab);

}  // namespace sp
