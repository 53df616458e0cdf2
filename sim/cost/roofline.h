// Time of one compute op on one GPU: a roofline with efficiencies plus a per-kernel overhead,
//   t = max(flops / (peak * eff_c), bytes / (bw * eff_m)) + kernels * overhead,
// or, where the GPU profile has a fitted table for the op class, t = max(flops / peak,
// bytes / bw) / eff(shape) + kernels * overhead (attention: prefill and decode parts summed).
#pragma once

#include "sim/cost/ops.h"
#include "sim/hardware/gpu_profile.h"

namespace sp {

struct OpTime {
  double time_s = 0;
  bool compute_bound = false;  // the FLOP term exceeded the byte term
};

// Collectives are not priced here (see collective.h); they return zero.
OpTime op_time(const Op& op, const GpuProfile& gpu);

}  // namespace sp
