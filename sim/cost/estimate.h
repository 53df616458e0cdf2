// The analytic first guess: one batch of B equal requests, prefilled, then decoded together,
// each iteration passing the stages one after the other (no microbatching, no queueing, no
// simulation). Iterations respect the engine's budgets as the memory model sizes them:
// prefill packs whole prompts into iterations of at most max_num_batched_tokens tokens (and
// max_num_seqs sequences), or splits a longer prompt into chunks of that size; a decode step
// of more than max_num_seqs sequences takes several iterations. Decode steps are priced at
// the mean context, input + output/2.
#pragma once

#include <cstdint>

#include "sim/cost/cost_model.h"

namespace sp {

struct EstimateInput {
  int64_t input_len = 1024;
  int64_t output_len = 256;
  int64_t batch_size = 1;
  int64_t max_num_batched_tokens = 8192;  // new tokens per iteration
  int64_t max_num_seqs = 256;             // sequences per iteration
};

struct Estimate {
  double prefill_s = 0;      // until the last prompt of the batch is prefilled, hand-offs included
  double decode_step_s = 0;  // one token for every sequence of the batch, through every stage
  double ttft_s = 0;
  double tpot_s = 0;
  double e2e_s = 0;
  double throughput_output_tok_s = 0;  // all replicas
  StageTime breakdown;                 // of e2e: compute-, memory-bound and communication time
};

// Throws InputError for non-positive lengths or batch.
Estimate estimate(const CostModel& cm, const EstimateInput& in);

}  // namespace sp
