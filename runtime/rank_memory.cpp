#include "runtime/rank_memory.h"

#include <fmt/format.h>

#include "sim/parallel/parallel_config.h"

namespace sp {

namespace {

constexpr int64_t kFloat = 4;

// The executor's buffers, which only grow: their size at the largest microbatch, the prefill
// of B/m sequences of S tokens; plus the logits of the run's last phase and the prompts.
int64_t activation_floats(const ModelConfig& m, const RankShape& rs, const RunShape& s, bool last_stage, int pp) {
  const int64_t seqs = s.batch / s.microbatches, T = seqs * s.prompt_len, h = m.hidden;
  int64_t f = 0;
  f += 2 * T * h;                             // x, residual
  if (pp > 1) f += 2 * T * h;                 // PP hand-off: hidden states and residual
  f += T * rs.qkv_width() + T * rs.heads * rs.d;  // qkv, attention output
  f += T * 3 * rs.ffn;                        // gate_up (2 f_r), activation (f_r)
  f += 3 * T + int64_t(s.batch) * s.prompt_len + s.batch;  // positions, tokens, prompts (int32)
  if (last_stage) {
    f += seqs * h + seqs * rs.vocab * (1 + rs.tp);  // last rows, local logits, gathered
    f += int64_t(s.batch) * m.vocab;                // logits of the phase
  }
  return f;
}

int64_t kv_floats(const RankShape& rs, int num_layers, const RunShape& s) {
  return 2 * int64_t(num_layers) * s.batch * int64_t(s.prompt_len + s.decode_steps) * rs.kv_heads * rs.d;
}

}  // namespace

int64_t rank_weight_floats(const ModelConfig& m, const RankShape& rs, int num_layers, bool first_stage,
                           bool last_stage) {
  const int64_t h = m.hidden;
  const int64_t layer = 2 * h + h * rs.qkv_width() + rs.heads * rs.d * h + h * 2 * rs.ffn + rs.ffn * h;
  int64_t f = layer * num_layers;
  if (first_stage) f += rs.vocab * h;
  if (last_stage) f += h + h * rs.vocab;
  return f;
}

RankMemory rank_memory(const ModelConfig& m, const ParallelConfig& pc, RankPosition pos, const RunShape& shape,
                       bool checker) {
  const RankShape rs = rank_shape(m, pc.tp, pos.tp_rank);
  const int layers = stage_layer_counts(m.num_layers, pc.pp)[size_t(pos.stage)];
  const bool first = pos.stage == 0, last = pos.stage == pc.pp - 1;
  RankMemory r;
  r.weights = kFloat * rank_weight_floats(m, rs, layers, first, last);
  r.kv_cache = kFloat * kv_floats(rs, layers, shape);
  r.activations = kFloat * activation_floats(m, rs, shape, last, pc.pp);
  if (checker) {
    // The kept logits of every phase, then the reference run: one rank, one microbatch.
    const int64_t phase_logits = int64_t(shape.decode_steps + 1) * shape.batch * m.vocab;
    const RankShape one = rank_shape(m, 1, 0);
    RunShape ref = shape;
    ref.microbatches = 1;
    r.activations += kFloat * phase_logits;
    r.reference = kFloat * (rank_weight_floats(m, one, m.num_layers, true, true) + kv_floats(one, m.num_layers, ref) +
                            activation_floats(m, one, ref, true, 1) + phase_logits);
  }
  return r;
}

std::string rank_memory_text(const RankMemory& r) {
  constexpr double gib = 1024.0 * 1024.0 * 1024.0;
  std::string s = fmt::format("{:.2f} GiB (weights {:.2f}, KV cache {:.2f}, activations {:.2f}", double(r.total()) / gib,
                              double(r.weights) / gib, double(r.kv_cache) / gib, double(r.activations) / gib);
  if (r.reference > 0) s += fmt::format(", unsharded reference for --check {:.2f}", double(r.reference) / gib);
  return s + ")";
}

}  // namespace sp
