// The analytic first guess: one batch of B equal requests, prefilled together, then decoded
// together, each stage one after the other (no microbatching, no queueing, no simulation).
// Decode steps are priced at the mean context, input + output/2.
#pragma once

#include <cstdint>

#include "sim/cost/cost_model.h"

namespace sp {

struct EstimateInput {
  int64_t input_len = 1024;
  int64_t output_len = 256;
  int64_t batch_size = 1;
};

struct Estimate {
  double prefill_s = 0;      // whole batch through every stage, hand-offs included
  double decode_step_s = 0;  // one token for every sequence, through every stage
  double ttft_s = 0;
  double tpot_s = 0;
  double e2e_s = 0;
  double throughput_output_tok_s = 0;  // all replicas
  StageTime breakdown;                 // of e2e: compute-, memory-bound and communication time
};

// Throws InputError for non-positive lengths or batch.
Estimate estimate(const CostModel& cm, const EstimateInput& in);

}  // namespace sp
