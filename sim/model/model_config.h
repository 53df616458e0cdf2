// A decoder-only LLM as the cost model sees it, read from a Hugging Face config.json.
//
// Symbols (DESIGN.md): h hidden, a attention heads, k KV heads, d head dim, f FFN size,
// L layers, V vocab. Everything here is a plain value: built by model_from_hf_json(),
// validated there, then never mutated.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sp {

enum class Architecture { llama, mistral, mixtral, qwen2, deepseek_v3 };

std::string_view architecture_name(Architecture a);

// Mixture-of-experts block (absent when num_experts == 0).
struct MoeConfig {
  int num_experts = 0;              // E routed experts, e.g. 8 (Mixtral), 256 (DeepSeek-V3)
  int experts_per_token = 0;        // top-k, e.g. 2
  int64_t expert_ffn = 0;           // f_e, FFN size of one expert, e.g. 14336
  int num_shared_experts = 0;       // always-active experts of size f_e (DeepSeek), e.g. 1
  int first_dense_layers = 0;       // leading layers with a dense MLP of size f (DeepSeek: 3)
};

// DeepSeek-style multi-head latent attention (absent when kv_lora_rank == 0).
struct MlaConfig {
  int64_t q_lora_rank = 0;          // e.g. 1536 (0 = plain q projection)
  int64_t kv_lora_rank = 0;         // compressed KV width, e.g. 512
  int64_t qk_nope_head_dim = 0;     // e.g. 128
  int64_t qk_rope_head_dim = 0;     // e.g. 64
  int64_t v_head_dim = 0;           // e.g. 128
};

struct ModelConfig {
  std::string name;                 // bundled name or the config's path
  Architecture arch = Architecture::llama;
  int64_t hidden = 0;               // h, e.g. 8192
  int num_layers = 0;               // L, e.g. 80
  int num_heads = 0;                // a, e.g. 64
  int num_kv_heads = 0;             // k, e.g. 8 (GQA)
  int64_t head_dim = 0;             // d, e.g. 128
  int64_t ffn = 0;                  // f, dense FFN size, e.g. 28672
  int64_t vocab = 0;                // V, e.g. 128256
  int64_t max_position = 0;         // max_position_embeddings, e.g. 131072
  bool tie_embeddings = false;      // LM head shares the embedding matrix
  bool qkv_bias = false;            // Qwen2 has biases on q, k, v
  MoeConfig moe;
  MlaConfig mla;

  bool is_moe() const { return moe.num_experts > 0; }
  bool is_mla() const { return mla.kv_lora_rank > 0; }
  // Layer i (0-based) has routed experts.
  bool layer_is_moe(int i) const { return is_moe() && i >= moe.first_dense_layers; }
};

// Builds a ModelConfig from a parsed HF config.json; `origin` names it in error messages.
ModelConfig model_from_hf_json(const nlohmann::json& j, std::string_view origin);

// `name_or_path` is a bundled model name (models/<name>.json) or a path to a config.json.
ModelConfig model_load(std::string_view name_or_path);

// Names of the bundled models, sorted.
std::vector<std::string> model_bundled_names();

}  // namespace sp
