// Executes one rank's share of a plan: the ops CostModel::stage_ops lists for the rank's
// stage, in that order, with real fp32 math on a DeviceBackend and real communication on a
// CommBackend. The executor walks the cost model's op list (one source of truth): every op
// name maps to one kernel call, and an op it does not know is an InputError, so the priced
// sequence and the executed one cannot drift apart silently.
//
// One run is a prefill of B sequences of S prompt tokens, then D decode steps, each phase in m
// microbatches of B/m sequences that flow through the PP stages in order (GPipe). The last
// stage samples greedily and, when there are several stages, returns the tokens to the first.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/comm.h"
#include "runtime/device.h"
#include "runtime/recorder.h"
#include "runtime/weights.h"
#include "sim/cost/cost_model.h"

namespace sp {

struct RunShape {
  int batch = 4;         // B sequences
  int prompt_len = 64;   // S prompt tokens per sequence
  int decode_steps = 8;  // D decode steps after the prefill
  int microbatches = 1;  // m, divides B
};

// Throws InputError for non-positive sizes or m not dividing B.
void run_shape_validate(const RunShape& s);
// The batch each microbatch is priced with: prefill of B/m sequences of S tokens; decode step
// k (0-based) of B/m sequences with S + k tokens cached.
BatchShape run_prefill_batch(const RunShape& s);
BatchShape run_decode_batch(const RunShape& s, int step);

struct RankPosition {
  int replica = 0, stage = 0, tp_rank = 0;
};

class Executor {
 public:
  // Materialises the rank's weights from `seed`; throws InputError when the model cannot be
  // split as the cost model's parallel config says.
  Executor(const CostModel& cm, RankPosition pos, uint64_t seed, DeviceBackend& dev, CommBackend& comm);

  // Starts a run: empties the KV cache and draws the prompts.
  void start(const RunShape& shape);
  void prefill(Recorder& rec);
  void decode_step(int step, Recorder& rec);

  bool last_stage() const { return pos_.stage == cm_.parallel().pp - 1; }
  // Of the phase that ran last, on last-stage ranks: logits [B, V] and sampled tokens [B].
  const std::vector<float>& logits() const { return logits_; }
  const std::vector<int32_t>& tokens() const { return tokens_; }

 private:
  void microbatch(int mb, const BatchShape& b, int pos0, int q_len, bool tokens_from_last, bool tokens_to_first,
                  Recorder& rec);
  int peer(int stage) const { return cm_.parallel().rank(pos_.replica, stage, pos_.tp_rank); }

  const CostModel& cm_;
  RankPosition pos_;
  uint64_t seed_;
  DeviceBackend& dev_;
  CommBackend& comm_;
  RankShape rs_;
  StageWeights w_;
  int first_layer_ = 0;
  RunShape shape_;
  int max_ctx_ = 0;
  std::vector<std::vector<float>> k_cache_, v_cache_;  // per layer: [B, max_ctx, k_r d]
  std::vector<float> x_, residual_, qkv_, attn_, gate_up_, act_, handoff_, last_rows_, logits_local_, gathered_;
  std::vector<int> positions_;
  std::vector<int32_t> prompt_, mb_tokens_;
  std::vector<float> logits_;
  std::vector<int32_t> tokens_;
};

}  // namespace sp
