#include "sim/model/weights.h"

#include <algorithm>

namespace sp {

namespace {

void attention_weights(const ModelConfig& m, std::vector<WeightTensor>& w) {
  const int64_t h = m.hidden, a = m.num_heads, k = m.num_kv_heads, d = m.head_dim;
  if (m.is_mla()) {
    // DeepSeek-V3: q = W_qb(norm(W_qa x)); latent kv = W_kva x (kv_lora + rope), expanded by W_kvb.
    const auto& l = m.mla;
    const int64_t qk = l.qk_nope_head_dim + l.qk_rope_head_dim;
    if (l.q_lora_rank > 0) {
      w.push_back({"attn.q_a", h * l.q_lora_rank, Shard::replicated, true});
      w.push_back({"attn.q_a_norm", l.q_lora_rank, Shard::replicated, false});
      w.push_back({"attn.q_b", l.q_lora_rank * a * qk, Shard::tp, true});
    } else {
      w.push_back({"attn.q", h * a * qk, Shard::tp, true});
    }
    w.push_back({"attn.kv_a", h * (l.kv_lora_rank + l.qk_rope_head_dim), Shard::replicated, true});
    w.push_back({"attn.kv_a_norm", l.kv_lora_rank, Shard::replicated, false});
    w.push_back({"attn.kv_b", l.kv_lora_rank * a * (l.qk_nope_head_dim + l.v_head_dim), Shard::tp, true});
    w.push_back({"attn.o", a * l.v_head_dim * h, Shard::tp, true});
    return;
  }
  w.push_back({"attn.q", h * a * d, Shard::tp, true});
  w.push_back({"attn.kv", 2 * h * k * d, Shard::tp_kv, true});
  if (m.qkv_bias) {
    w.push_back({"attn.q_bias", a * d, Shard::tp, false});
    w.push_back({"attn.kv_bias", 2 * k * d, Shard::tp_kv, false});
  }
  w.push_back({"attn.o", a * d * h, Shard::tp, true});
}

}  // namespace

std::vector<WeightTensor> layer_weights(const ModelConfig& m, int layer) {
  std::vector<WeightTensor> w;
  const int64_t h = m.hidden;
  w.push_back({"input_norm", h, Shard::replicated, false});
  attention_weights(m, w);
  w.push_back({"post_attn_norm", h, Shard::replicated, false});
  if (m.layer_is_moe(layer)) {
    const auto& e = m.moe;
    w.push_back({"moe.router", h * e.num_experts, Shard::replicated, false});
    if (m.arch == Architecture::deepseek_v3) {
      w.push_back({"moe.router_bias", e.num_experts, Shard::replicated, false});
    }
    w.push_back({"moe.experts", int64_t(e.num_experts) * 3 * h * e.expert_ffn, Shard::expert, true});
    if (e.num_shared_experts > 0) {
      w.push_back({"moe.shared", int64_t(e.num_shared_experts) * 3 * h * e.expert_ffn, Shard::tp, true});
    }
  } else {
    // SwiGLU: gate and up (column split) and down (row split), 3*h*f in all.
    w.push_back({"mlp.gate_up", 2 * h * m.ffn, Shard::tp, true});
    w.push_back({"mlp.down", m.ffn * h, Shard::tp, true});
  }
  return w;
}

std::vector<WeightTensor> embedding_weights(const ModelConfig& m) {
  return {{"embed", m.vocab * m.hidden, Shard::vocab, false}};
}

std::vector<WeightTensor> head_weights(const ModelConfig& m) {
  std::vector<WeightTensor> w{{"final_norm", m.hidden, Shard::replicated, false}};
  if (!m.tie_embeddings) w.push_back({"lm_head", m.vocab * m.hidden, Shard::vocab, false});
  return w;
}

int64_t model_param_count(const ModelConfig& m) {
  int64_t n = 0;
  for (const auto& t : embedding_weights(m)) n += t.params;
  for (const auto& t : head_weights(m)) n += t.params;
  for (int i = 0; i < m.num_layers; ++i)
    for (const auto& t : layer_weights(m, i)) n += t.params;
  return n;
}

int64_t model_active_param_count(const ModelConfig& m) {
  int64_t n = 0;
  for (const auto& t : embedding_weights(m)) n += t.params;
  for (const auto& t : head_weights(m)) n += t.params;
  for (int i = 0; i < m.num_layers; ++i) {
    for (const auto& t : layer_weights(m, i)) {
      n += t.shard == Shard::expert ? t.params / m.moe.num_experts * m.moe.experts_per_token : t.params;
    }
  }
  return n;
}

double shard_fraction(Shard s, const ModelConfig& m, int tp, int ep) {
  switch (s) {
    case Shard::replicated: return 1.0;
    case Shard::tp:
    case Shard::vocab: return 1.0 / tp;
    case Shard::tp_kv: {
      const int k = m.num_kv_heads;
      const int per_rank = (k + tp - 1) / tp;  // ceil(k/t): one head per rank once t > k
      return double(per_rank) / k;
    }
    case Shard::expert: return 1.0 / std::max(tp, ep);
  }
  return 1.0;
}

}  // namespace sp
