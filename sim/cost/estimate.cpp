#include "sim/cost/estimate.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/common/error.h"
#include "sim/cost/memory.h"

namespace sp {

namespace {

// One pass of `b` through all stages, with hand-offs counted as communication.
StageTime pass(const CostModel& cm, const BatchShape& b) {
  StageTime total;
  for (int s = 0; s < cm.parallel().pp; ++s) {
    total += cm.stage_time(s, b);
    total.comm_s += cm.handoff_time_s(s, b);
  }
  return total;
}

StageTime scaled(StageTime t, double k) {
  t.compute_s *= k;
  t.memory_s *= k;
  t.comm_s *= k;
  t.overhead_s *= k;
  return t;
}

// Prefill of B prompts of I tokens under the iteration budgets.
StageTime prefill_time(const CostModel& cm, int64_t B, int64_t I, int64_t M, int64_t S) {
  if (I <= M) {
    const int64_t k = std::min({B, M / I, S});  // whole prompts per iteration
    StageTime t = scaled(pass(cm, batch_prefill(double(k), double(I))), double(B / k));
    if (B % k > 0) t += pass(cm, batch_prefill(double(B % k), double(I)));
    return t;
  }
  // Each prompt in chunks of M tokens, one chunk per iteration. Chunks differ only in the
  // context they attend to; beyond 1,024 chunks, runs of neighbours are priced at their middle.
  const int64_t full = I / M, last = I % M;
  const int64_t groups = std::min<int64_t>(full, 1024);
  StageTime one;
  for (int64_t g = 0; g < groups; ++g) {
    const int64_t lo = full * g / groups, hi = full * (g + 1) / groups;
    const double mid = double(lo + hi - 1) / 2;
    one += scaled(pass(cm, batch_prefill(1, double(M), mid * double(M), false)), double(hi - lo));
  }
  if (last > 0) one += pass(cm, batch_prefill(1, double(last), double(full * M)));
  return scaled(one, double(B));
}

// One decode step of B sequences at context `ctx`, in iterations of at most S sequences.
StageTime decode_time(const CostModel& cm, int64_t B, double ctx, int64_t S) {
  const int64_t k = std::min(B, S);
  StageTime t = scaled(pass(cm, batch_decode(double(k), ctx)), double(B / k));
  if (B % k > 0) t += pass(cm, batch_decode(double(B % k), ctx));
  return t;
}

}  // namespace

Estimate estimate(const CostModel& cm, const EstimateInput& in) {
  constexpr int64_t kMaxLen = int64_t(1) << 30;
  if (in.input_len < 1 || in.input_len > kMaxLen) throw InputError(fmt::format("--input-len: {} is out of range (use 1 to {})", in.input_len, kMaxLen));
  if (in.output_len < 1 || in.output_len > kMaxLen) throw InputError(fmt::format("--output-len: {} is out of range (use 1 to {})", in.output_len, kMaxLen));
  if (in.batch_size < 1 || in.batch_size > kMaxLen) throw InputError(fmt::format("--batch-size: {} is out of range (use 1 to {})", in.batch_size, kMaxLen));

  const double B = double(in.batch_size), I = double(in.input_len), O = double(in.output_len);
  iteration_limits_check(in.max_num_batched_tokens, in.max_num_seqs);
  const StageTime prefill = prefill_time(cm, in.batch_size, in.input_len, in.max_num_batched_tokens, in.max_num_seqs);
  const StageTime step = decode_time(cm, in.batch_size, I + O / 2, in.max_num_seqs);
  Estimate e;
  e.prefill_s = prefill.total_s();
  e.decode_step_s = step.total_s();
  e.ttft_s = e.prefill_s;
  e.tpot_s = e.decode_step_s;
  e.e2e_s = e.ttft_s + (O - 1) * e.tpot_s;
  e.throughput_output_tok_s = cm.parallel().dp * B * O / e.e2e_s;
  e.breakdown = prefill;
  e.breakdown += scaled(step, O - 1);
  return e;
}

}  // namespace sp
