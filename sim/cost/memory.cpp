#include "sim/cost/memory.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/common/error.h"
#include "sim/cost/ops.h"
#include "sim/model/weights.h"

namespace sp {

namespace {

double tensors_bytes(const std::vector<WeightTensor>& ws, const ModelConfig& m, const ParallelConfig& pc,
                     const Precision& prec) {
  double b = 0;
  for (const auto& w : ws) {
    b += double(w.params) * shard_fraction(w.shard, m, pc.tp, pc.ep) * (w.quantized ? dtype_bytes(prec.weights) : 2.0);
  }
  return b;
}

// Peak live activations of one iteration of T tokens: residual stream and hidden state, the
// QKV output, the widest MLP intermediate, plus fp32 logits on the last stage.
double activation_bytes(const ModelConfig& m, const ParallelConfig& pc, int64_t T, int64_t rows, bool last) {
  const double t = pc.tp, h = double(m.hidden);
  const double qkv = m.is_mla() ? double(m.num_heads) / t * double(m.head_dim + m.mla.v_head_dim)
                                : (double(m.num_heads) / t + 2.0 * ((m.num_kv_heads + pc.tp - 1) / pc.tp)) * double(m.head_dim);
  double mlp = 2.0 * double(m.ffn) / t;
  if (m.is_moe()) mlp = std::max(mlp, 2.0 * double(m.moe.expert_ffn) * m.moe.experts_per_token / t);
  double bytes = double(T) * kActivationBytes * (2 * h + qkv + mlp);
  if (last) bytes += double(rows) * double(m.vocab) / t * 4.0;
  return bytes;
}

}  // namespace

void iteration_limits_check(int64_t max_num_batched_tokens, int64_t max_num_seqs) {
  for (auto [flag, v] : {std::pair{"--max-num-batched-tokens", max_num_batched_tokens}, {"--max-num-seqs", max_num_seqs}}) {
    if (v < 1 || v > kMaxIterationTokens) {
      throw InputError(fmt::format("{}: {} is out of range (use 1 to {})", flag, v, kMaxIterationTokens));
    }
  }
}

MemoryReport memory_plan(const ModelConfig& m, const Cluster& c, const ParallelConfig& pc, const Precision& prec,
                         const MemoryOptions& opt) {
  if (!(opt.gpu_memory_utilization > 0 && opt.gpu_memory_utilization <= 1)) {
    throw InputError(fmt::format("--gpu-memory-utilization: {} is out of range (use a fraction in (0, 1], e.g. 0.9)",
                                 opt.gpu_memory_utilization));
  }
  iteration_limits_check(opt.max_num_batched_tokens, opt.max_num_seqs);
  if (opt.max_model_len < 0 || opt.max_model_len > kMaxIterationTokens) {
    throw InputError(fmt::format("--max-model-len: {} is out of range (use 0 for the model's maximum, or 1 to {})",
                                 opt.max_model_len, kMaxIterationTokens));
  }
  parallel_validate(pc, m, c);

  MemoryReport rep;
  rep.max_model_len = opt.max_model_len > 0 ? opt.max_model_len : m.max_position;
  const auto& gpu = c.system.gpu;
  const auto layers = stage_layer_counts(m.num_layers, pc.pp);
  const auto first = stage_first_layers(m.num_layers, pc.pp);
  const bool in_group = pc.tp > 1 || pc.pp > 1 || pc.ep > 1;
  rep.kv_capacity_tokens = INT64_MAX;
  rep.fits = true;

  for (int s = 0; s < pc.pp; ++s) {
    GpuMemory g;
    g.stage = s;
    for (int i = first[size_t(s)]; i < first[size_t(s)] + layers[size_t(s)]; ++i) {
      g.weights_bytes += tensors_bytes(layer_weights(m, i), m, pc, prec);
    }
    if (s == 0) g.weights_bytes += tensors_bytes(embedding_weights(m), m, pc, prec);
    if (s == pc.pp - 1) {
      auto head = head_weights(m);
      // A tied head reuses the embedding; with several stages the last one holds a copy.
      if (m.tie_embeddings && pc.pp > 1) head.push_back(embedding_weights(m)[0]);
      g.weights_bytes += tensors_bytes(head, m, pc, prec);
    }
    g.activation_bytes = activation_bytes(m, pc, opt.max_num_batched_tokens, opt.max_num_seqs, s == pc.pp - 1);
    g.overhead_bytes = (gpu.runtime_overhead_gib + (in_group ? c.system.nccl_buffer_gib : 0.0)) * kGiB;
    g.capacity_bytes = gpu.memory_gib * kGiB * opt.gpu_memory_utilization;
    g.kv_bytes_per_token = kv_bytes_per_token_layer(m, pc.tp, prec.kv) * layers[size_t(s)];
    const double budget = g.capacity_bytes - g.weights_bytes - g.activation_bytes - g.overhead_bytes;
    g.kv_cache_bytes = std::max(0.0, budget);
    const int64_t tokens = int64_t(std::floor(g.kv_cache_bytes / g.kv_bytes_per_token));
    g.kv_capacity_tokens = tokens / kKvBlockTokens * kKvBlockTokens;
    rep.kv_capacity_tokens = std::min(rep.kv_capacity_tokens, g.kv_capacity_tokens);

    // Feasible means room for the fixed costs plus one request of max_model_len; the stage
    // that lacks the most is the one reported, so the figure in the reason is the one the
    // planner ranks near misses by.
    const double one_request_kv = g.kv_bytes_per_token * double(rep.max_model_len);
    const double fixed = g.weights_bytes + g.activation_bytes + g.overhead_bytes;
    const bool short_of_kv = budget >= 0 && g.kv_capacity_tokens < rep.max_model_len;
    // Short by whole 16-token blocks: never less than the tokens missing, even when rounding
    // alone makes the stage short.
    const double lack = std::max(fixed + one_request_kv - g.capacity_bytes,
                                 short_of_kv ? double(rep.max_model_len - g.kv_capacity_tokens) * g.kv_bytes_per_token : 0.0);
    if ((budget < 0 || short_of_kv) && (rep.fits || lack / kGiB > rep.missing_gib)) {
      rep.fits = false;
      rep.missing_gib = std::max(0.0, lack) / kGiB;
      if (budget < 0) {
        rep.reason = fmt::format(
            "stage {} needs {:.1f} GiB for weights, activations and overhead and {:.1f} GiB of KV for one request of "
            "--max-model-len {}, but has {:.1f} GiB ({:.1f} GiB x {:.2f}); {:.1f} GiB missing per GPU: raise --tp or "
            "--pp{}, or lower --max-model-len or --max-num-batched-tokens",
            s, fixed / kGiB, one_request_kv / kGiB, rep.max_model_len, g.capacity_bytes / kGiB, gpu.memory_gib,
            opt.gpu_memory_utilization, rep.missing_gib, prec.weights == DType::bf16 ? ", use --dtype fp8" : "");
      } else {
        rep.reason = fmt::format(
            "stage {} has KV room for {} tokens, fewer than one request of --max-model-len {}; {:.1f} GiB missing per "
            "GPU: lower --max-model-len, raise --tp or --pp, or use --kv-dtype fp8",
            s, g.kv_capacity_tokens, rep.max_model_len, rep.missing_gib);
      }
    }
    for (int i = 0; i < pc.tp; ++i) {
      g.rank = pc.rank(0, s, i);
      rep.per_gpu.push_back(g);
    }
  }
  return rep;
}

}  // namespace sp
