#include "sim/serving/engine_preset.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/common/error.h"

namespace sp {

std::string_view engine_name(Engine e) {
  switch (e) {
    case Engine::vllm: return "vllm";
    case Engine::trtllm: return "trtllm";
    case Engine::sglang: return "sglang";
  }
  return "?";
}

std::optional<Engine> engine_parse(std::string_view s) {
  for (auto e : {Engine::vllm, Engine::trtllm, Engine::sglang}) {
    if (engine_name(e) == s) return e;
  }
  return std::nullopt;
}

EnginePreset engine_preset(Engine e, const GpuProfile& gpu) {
  EnginePreset p{.engine = e, .overheads = {}};
  switch (e) {
    case Engine::vllm: {
      // vllm/engine/arg_utils.py EngineArgs.get_batch_defaults, OPENAI_API_SERVER context
      // (`vllm serve`): 8192 tokens and 1024 sequences on GPUs of >= 70 GiB whose name does not
      // hold "a100" (vLLM PR #17885: large budgets lowered A100 throughput), else 2048 and 256.
      const bool big = gpu.memory_gib >= 70 && gpu.name.find("a100") == std::string::npos;
      p.max_num_batched_tokens = big ? 8192 : 2048;
      p.max_num_seqs = big ? 1024 : 256;
      // vLLM V1 captures CUDA graphs for batch sizes up to 512 (CompilationConfig
      // max_capture_size default). Step overhead: assumption, see docs/engines.md.
      p.overheads = EngineOverheads{.step_us = 500, .graph_max_seqs = 512, .eager_launch_us = 4};
      break;
    }
    case Engine::trtllm:
      // TensorRT-LLM BuildConfig / LLM API defaults: max_batch_size 2048, max_num_tokens 8192.
      // The C++ executor (and the PyTorch backend's overlap scheduler) prepares the next step
      // while the GPU runs this one; TensorRT engines enqueue fused kernels (no per-op Python
      // launches), so launches are taken as hidden at every batch size (docs/engines.md).
      p.max_num_batched_tokens = 8192;
      p.max_num_seqs = 2048;
      // KvCacheConfig.free_gpu_memory_fraction default 0.9: of the memory free after the
      // engine and its activations are loaded.
      p.gpu_memory_utilization = 0.9;
      p.utilization_of_free = true;
      // CapacitySchedulerPolicy default GUARANTEED_NO_EVICT: a request starts only when the KV
      // blocks of its whole input and output are free, so running requests are never evicted.
      p.reserve_full_kv = true;
      p.overheads = EngineOverheads{.step_us = 100, .graph_max_seqs = 1e9, .eager_launch_us = 0};
      break;
    case Engine::sglang:
      // SGLang server_args defaults: chunked_prefill_size 8192, cuda_graph_max_bs 160 on
      // H100-class GPUs; max_running_requests is sized from the KV pool (capped here at 1024,
      // an assumption); the overlap scheduler hides most CPU work (docs/engines.md).
      p.max_num_batched_tokens = 8192;
      p.max_num_seqs = 1024;
      // mem_fraction_static: SGLang derives it from the GPU memory and TP size; 0.88 is its
      // value on 80 GB GPUs at TP 1 to 4 (assumption for the others).
      p.gpu_memory_utilization = 0.88;
      p.overheads = EngineOverheads{.step_us = 100, .graph_max_seqs = 160, .eager_launch_us = 4};
      break;
  }
  return p;
}

int64_t unchunked_token_budget(int64_t budget, bool budget_given, int64_t longest, bool longest_given) {
  if (!budget_given) return std::max(budget, longest);
  if (budget < longest) {
    throw InputError(fmt::format(
        "--no-chunked-prefill: --max-num-batched-tokens {} is below {} {}, so longer prompts could never be "
        "scheduled (vLLM refuses this too); raise --max-num-batched-tokens or lower --max-model-len",
        budget, longest_given ? "--max-model-len" : "the model's maximum length", longest));
  }
  return budget;
}

namespace {

// Weights, activations and runtime of the GPU that holds the most of them.
double fixed_bytes_of_fullest(const MemoryReport& mem) {
  double used = 0;
  for (const auto& g : mem.per_gpu) used = std::max(used, g.weights_bytes + g.activation_bytes + g.overhead_bytes);
  return used;
}

}  // namespace

double engine_memory_utilization(const EnginePreset& p, const ModelConfig& m, const Cluster& c,
                                 const ParallelConfig& pc, const Precision& prec, MemoryOptions opt) {
  if (!p.utilization_of_free) return p.gpu_memory_utilization;
  opt.gpu_memory_utilization = 1.0;
  const double total = c.system.gpu.memory_gib * kGiB;
  const double used = fixed_bytes_of_fullest(memory_plan(m, c, pc, prec, opt));
  if (used >= total) return 1.0;  // nothing is free: memory_plan reports why it does not fit
  return (used + p.gpu_memory_utilization * (total - used)) / total;
}

double free_memory_fraction(const MemoryReport& mem, double gpu_memory_gib, double utilization) {
  const double total = gpu_memory_gib * kGiB, used = fixed_bytes_of_fullest(mem);
  if (used >= total) return 0;
  return std::clamp((utilization * total - used) / (total - used), 0.0, 1.0);
}

}  // namespace sp
