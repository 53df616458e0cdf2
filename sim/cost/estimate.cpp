#include "sim/cost/estimate.h"

#include <fmt/format.h>

#include "sim/common/error.h"

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
  return t;
}

}  // namespace

Estimate estimate(const CostModel& cm, const EstimateInput& in) {
  constexpr int64_t kMaxLen = int64_t(1) << 30;
  if (in.input_len < 1 || in.input_len > kMaxLen) throw InputError(fmt::format("--input-len: {} is out of range (use 1 to {})", in.input_len, kMaxLen));
  if (in.output_len < 1 || in.output_len > kMaxLen) throw InputError(fmt::format("--output-len: {} is out of range (use 1 to {})", in.output_len, kMaxLen));
  if (in.batch_size < 1 || in.batch_size > kMaxLen) throw InputError(fmt::format("--batch-size: {} is out of range (use 1 to {})", in.batch_size, kMaxLen));

  const double B = double(in.batch_size), I = double(in.input_len), O = double(in.output_len);
  const StageTime prefill = pass(cm, batch_prefill(B, I));
  const StageTime step = pass(cm, batch_decode(B, I + O / 2));
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
