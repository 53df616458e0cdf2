// Engine presets: the scheduling defaults and per-iteration overheads of the serving engines
// users run (vLLM, TensorRT-LLM, SGLang). Each value names its source here and in
// docs/engines.md; "assumption" marks a value no source states, with the reasoning.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/cost/cost_model.h"
#include "sim/cost/memory.h"
#include "sim/hardware/gpu_profile.h"

namespace sp {

enum class Engine { vllm, trtllm, sglang };

std::string_view engine_name(Engine e);
std::optional<Engine> engine_parse(std::string_view s);

struct EnginePreset {
  Engine engine = Engine::vllm;
  int64_t max_num_seqs = 256;             // sequences per iteration
  int64_t max_num_batched_tokens = 8192;  // new tokens per iteration (chunked prefill budget)
  // Memory the engine takes: a fraction of the GPU's memory (vLLM, SGLang), or, when
  // `utilization_of_free`, that fraction of what is left after weights, activations and
  // runtime overhead goes to the KV cache (TensorRT-LLM's free_gpu_memory_fraction).
  double gpu_memory_utilization = 0.9;
  bool utilization_of_free = false;
  bool reserve_full_kv = false;           // admission reserves a request's whole KV (SchedulerConfig)
  EngineOverheads overheads{};
};

// The defaults `e` picks on `gpu` (vLLM sizes its budgets by the GPU's memory and name).
EnginePreset engine_preset(Engine e, const GpuProfile& gpu);

// The token budget without chunked prefill, where an iteration must hold a whole prompt: as
// vLLM does, the larger of the engine's `budget` and `longest` (the longest request allowed)
// when the user gave no budget; a given budget below `longest` is an InputError naming the
// flags (`longest_given`: --max-model-len set, else the model's maximum).
int64_t unchunked_token_budget(int64_t budget, bool budget_given, int64_t longest, bool longest_given);

// The GPU memory utilization, as a fraction of all memory (MemoryOptions' convention), that
// gives the engine's KV cache on this deployment; `opt` supplies the budgets. Throws like
// memory_plan.
double engine_memory_utilization(const EnginePreset& p, const ModelConfig& m, const Cluster& c,
                                 const ParallelConfig& pc, const Precision& prec, MemoryOptions opt);

// The inverse, in TensorRT-LLM's terms: the fraction of what the fullest GPU has left after
// weights, activations and runtime that `utilization` of all its memory gives the KV cache;
// 0 when nothing is left.
double free_memory_fraction(const MemoryReport& mem, double gpu_memory_gib, double utilization);

}  // namespace sp
