#include "sim/model/model_config.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/common/data_dir.h"
#include "sim/common/error.h"
#include "sim/common/json_reader.h"
#include "sim/model/weights.h"

namespace sp {

namespace {

struct ArchName {
  std::string_view hf;  // value in config.json "architectures"
  Architecture arch;
};
constexpr ArchName kArchitectures[] = {
    {"LlamaForCausalLM", Architecture::llama},     {"MistralForCausalLM", Architecture::mistral},
    {"MixtralForCausalLM", Architecture::mixtral}, {"Qwen2ForCausalLM", Architecture::qwen2},
    {"DeepseekV3ForCausalLM", Architecture::deepseek_v3},
};

// Bounds on each field, far above any real model (h = 16384, f = 53248, a = 128, d = 256, E = 384
// today) yet low enough that no weight tensor's parameter count can overflow int64:
// the largest, E * 3 * h * f_e, stays below 3 * 2^58.
constexpr int64_t kMaxHidden = int64_t(1) << 20;
constexpr int64_t kMaxFfn = int64_t(1) << 22;
constexpr int64_t kMaxHeads = int64_t(1) << 14;
constexpr int64_t kMaxHeadDim = int64_t(1) << 14;
constexpr int64_t kMaxExperts = int64_t(1) << 16;
constexpr int64_t kMaxLoraRank = int64_t(1) << 20;
constexpr int64_t kMaxVocab = int64_t(1) << 26;
// Whole models: 50 times the largest published today (2e12). A config beyond it is a typo.
constexpr double kMaxParams = 1e14;

// Sum of all parameters in double: each tensor fits int64 (bounds above), the sum may not.
double param_count(const ModelConfig& m) {
  const auto layer = [&](int i) {
    double n = 0;
    for (const auto& t : layer_weights(m, i)) n += double(t.params);
    return n;
  };
  double n = 0;
  for (const auto& t : embedding_weights(m)) n += double(t.params);
  for (const auto& t : head_weights(m)) n += double(t.params);
  // Layers come in two kinds only: dense before first_dense_layers (if MoE), the rest alike.
  const int dense = m.is_moe() ? m.moe.first_dense_layers : m.num_layers;
  if (dense > 0) n += dense * layer(0);
  if (dense < m.num_layers) n += (m.num_layers - dense) * layer(m.num_layers - 1);
  return n;
}

}  // namespace

std::string_view architecture_name(Architecture a) {
  for (const auto& n : kArchitectures)
    if (n.arch == a) return n.hf;
  return "?";
}

ModelConfig model_from_hf_json(const json& j, std::string_view origin) {
  ObjectReader r(j, std::string(origin));
  ModelConfig m;
  const json& archs = r.raw("architectures");
  if (!archs.is_array() || archs.empty() || !archs[0].is_string()) {
    throw InputError(fmt::format("{}: expected an array of architecture names", r.where("architectures")));
  }
  auto hf = archs[0].get<std::string>();
  auto it = std::find_if(std::begin(kArchitectures), std::end(kArchitectures), [&](auto& n) { return n.hf == hf; });
  if (it == std::end(kArchitectures)) {
    std::vector<std::string_view> known;
    for (const auto& n : kArchitectures) known.push_back(n.hf);
    throw InputError(fmt::format("{}: unsupported architecture '{}' (supported: {})", r.where("architectures"),
                                 message_quote(hf), fmt::join(known, ", ")));
  }
  m.arch = it->arch;
  m.hidden = r.integer("hidden_size", 1, kMaxHidden);
  m.num_layers = int(r.integer("num_hidden_layers", 1, 100000));
  m.num_heads = int(r.integer("num_attention_heads", 1, kMaxHeads));
  m.num_kv_heads = int(r.integer_opt("num_key_value_heads", 1, kMaxHeads).value_or(m.num_heads));
  if (m.num_heads % m.num_kv_heads != 0) {
    throw InputError(fmt::format("{}: {} attention heads are not a multiple of {} KV heads",
                                 r.where("num_key_value_heads"), m.num_heads, m.num_kv_heads));
  }
  const auto head_dim = r.integer_opt("head_dim", 1, kMaxHeadDim);
  if (!head_dim && m.hidden % m.num_heads != 0) {
    throw InputError(fmt::format("{}: {} is not a multiple of the {} attention heads; give head_dim",
                                 r.where("hidden_size"), m.hidden, m.num_heads));
  }
  m.head_dim = head_dim.value_or(m.hidden / m.num_heads);
  m.ffn = r.integer("intermediate_size", 1, kMaxFfn);
  m.vocab = r.integer("vocab_size", 1, kMaxVocab);
  m.max_position = r.integer_opt("max_position_embeddings", 1, int64_t(1) << 30).value_or(4096);
  m.tie_embeddings = r.boolean_opt("tie_word_embeddings").value_or(false);
  m.qkv_bias = m.arch == Architecture::qwen2;

  if (m.arch == Architecture::mixtral) {
    m.moe.num_experts = int(r.integer("num_local_experts", 1, kMaxExperts));
    m.moe.experts_per_token = int(r.integer("num_experts_per_tok", 1, m.moe.num_experts));
    m.moe.expert_ffn = m.ffn;
  } else if (m.arch == Architecture::deepseek_v3) {
    m.moe.num_experts = int(r.integer("n_routed_experts", 1, kMaxExperts));
    m.moe.experts_per_token = int(r.integer("num_experts_per_tok", 1, m.moe.num_experts));
    m.moe.expert_ffn = r.integer("moe_intermediate_size", 1, kMaxFfn);
    m.moe.num_shared_experts = int(r.integer_opt("n_shared_experts", 0, kMaxExperts).value_or(0));
    m.moe.first_dense_layers = int(r.integer_opt("first_k_dense_replace", 0, m.num_layers).value_or(0));
    m.mla.q_lora_rank = r.integer_opt("q_lora_rank", 0, kMaxLoraRank).value_or(0);
    m.mla.kv_lora_rank = r.integer("kv_lora_rank", 1, kMaxLoraRank);
    m.mla.qk_nope_head_dim = r.integer("qk_nope_head_dim", 1, kMaxHeadDim);
    m.mla.qk_rope_head_dim = r.integer("qk_rope_head_dim", 1, kMaxHeadDim);
    m.mla.v_head_dim = r.integer("v_head_dim", 1, kMaxHeadDim);
    m.head_dim = m.mla.qk_nope_head_dim + m.mla.qk_rope_head_dim;
  }
  if (const double n = param_count(m); n > kMaxParams) {
    throw InputError(fmt::format("{}: the config describes {:.3g} parameters, more than the {:g} shardplan accepts; "
                                 "check hidden_size, intermediate_size, num_hidden_layers and the expert counts",
                                 origin, n, kMaxParams));
  }
  return m;
}

std::vector<std::string> model_bundled_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data_dir() / "models", ec)) {
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

ModelConfig model_load(std::string_view name_or_path) {
  std::filesystem::path bundled = data_dir() / "models" / (std::string(name_or_path) + ".json");
  bool is_path = name_or_path.find('/') != std::string_view::npos || name_or_path.ends_with(".json");
  std::filesystem::path path = is_path ? std::filesystem::path(name_or_path) : bundled;
  std::error_code ec;
  // A Hugging Face model folder holds its config.json.
  if (is_path && std::filesystem::is_directory(path, ec)) path /= "config.json";
  if (!std::filesystem::is_regular_file(path, ec)) {
    if (is_path) {
      throw InputError(fmt::format("--model: no such file '{}'", message_quote(path.string())));
    }
    throw InputError(fmt::format("--model: unknown model '{}' (bundled: {}; or pass a path to a config.json)",
                                 message_quote(name_or_path), fmt::join(model_bundled_names(), ", ")));
  }
  ModelConfig m = model_from_hf_json(json_load_file(path), path.string());
  m.name = is_path ? path.string() : std::string(name_or_path);
  return m;
}

}  // namespace sp
