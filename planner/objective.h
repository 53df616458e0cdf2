// What the planner optimises and the limits a plan must meet.
//
// Objectives (all subject to the SLOs; a plan that misses one is never recommended):
//   throughput: output tokens/s per GPU, higher is better;
//   latency:    p99 end-to-end latency (TTFT plus TPOT times the tokens after the first),
//               lower is better;
//   cost:       dollars per million output tokens at the GPU-hour price, lower is better.
#pragma once

#include <string>
#include <string_view>

#include "sim/serving/simulator.h"

namespace sp {

enum class Objective { throughput, latency, cost };

Objective objective_parse(std::string_view s);  // throws InputError naming --objective
std::string_view objective_name(Objective o);

// "ttft_p99_ms=500,tpot_p99_ms=50,e2e_p99_ms=20000"; any subset, each key once; "" = none.
// Throws InputError naming --slo, the bad part and the accepted keys.
SloTargets slo_parse(std::string_view s);
std::string slo_format(const SloTargets& s);  // the same spelling, for reports

// Bundled GPU-hour prices (hardware_profiles/gpu_hour_usd.json): assumptions, marked as such.
struct GpuPrice {
  double usd_per_hour = 0;
  std::string source;
};
// Throws InputError when the GPU has no bundled price (pass --gpu-hour-usd).
GpuPrice gpu_price_bundled(std::string_view gpu_name);

}  // namespace sp
