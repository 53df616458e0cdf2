#include "cli/workload_flags.h"

#include <cstdint>

#include <fmt/format.h>

#include "sim/common/error.h"

namespace sp::cli {

void add_workload_flags(CLI::App* cmd, WorkloadFlags& f) {
  cmd->add_option("--input-len", f.input_len, "Prompt tokens: N, uniform:MIN:MAX, normal:MEAN:SD or lognormal:MEAN:SD")
      ->capture_default_str();
  cmd->add_option("--output-len", f.output_len, "Generated tokens, same forms as --input-len")->capture_default_str();
  cmd->add_option("--num-requests", f.num_requests, "Requests to simulate (with --trace: first N rows, 0 = all)")
      ->capture_default_str();
  cmd->add_option("--request-rate", f.request_rate, "Poisson arrivals per second (open loop)");
  cmd->add_option("--concurrency", f.concurrency, "Closed loop: requests outstanding at once");
  cmd->add_option("--trace", f.trace, "CSV trace: arrival_s,input_tokens,output_tokens or Azure TIMESTAMP,ContextTokens,GeneratedTokens");
  // Checked on the text: CLI11 would wrap "-1" into a uint64_t. The range is plan.json's.
  cmd->add_option("--seed", f.seed, "Seed of the workload's random numbers (0 to 2^63-1)")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            const bool digits = !v.empty() && v.size() <= 19 && v.find_first_not_of("0123456789") == std::string::npos;
            if (digits && std::stoull(v) <= uint64_t(INT64_MAX)) return "";
            return "'" + v + "' is not a seed (use an integer from 0 to 9223372036854775807)";
          },
          "SEED"));
}

WorkloadSpec workload_spec(const WorkloadFlags& f) {
  WorkloadSpec w;
  w.input = length_dist_parse(f.input_len, "--input-len");
  w.output = length_dist_parse(f.output_len, "--output-len");
  w.num_requests = f.num_requests;
  w.seed = f.seed;
  const int modes = f.request_rate.has_value() + f.concurrency.has_value() + !f.trace.empty();
  if (modes > 1) throw InputError("--request-rate, --concurrency and --trace: choose at most one arrival mode");
  if (f.request_rate) {
    if (!(*f.request_rate > 0) || *f.request_rate > 1e9) {
      throw InputError(fmt::format("--request-rate: {} is out of range (use a rate in (0, 1e9] requests/s)", *f.request_rate));
    }
    w.arrival = Arrival::poisson;
    w.rate_per_s = *f.request_rate;
  } else if (f.concurrency) {
    if (*f.concurrency < 1 || *f.concurrency > kMaxRequests) {
      throw InputError(fmt::format("--concurrency: {} is out of range (use 1 to {})", *f.concurrency, kMaxRequests));
    }
    w.arrival = Arrival::closed_loop;
    w.concurrency = *f.concurrency;
  } else if (!f.trace.empty()) {
    w.arrival = Arrival::trace;
    w.trace_path = f.trace;
  }
  return w;
}

PlanWorkload plan_workload(const WorkloadFlags& f) {
  PlanWorkload w;
  w.input_len = f.input_len;
  w.output_len = f.output_len;
  w.num_requests = f.num_requests;
  w.request_rate = f.request_rate.value_or(0);
  w.concurrency = f.concurrency.value_or(0);
  w.trace = f.trace;
  w.seed = f.seed;
  w.arrival = f.request_rate ? "poisson" : f.concurrency ? "closed_loop" : !f.trace.empty() ? "trace" : "offline";
  return w;
}

WorkloadFlags workload_flags_from_plan(const PlanWorkload& w) {
  WorkloadFlags f;
  f.input_len = w.input_len;
  f.output_len = w.output_len;
  f.num_requests = w.num_requests;
  f.seed = w.seed;
  if (w.arrival == "poisson") f.request_rate = w.request_rate;
  if (w.arrival == "closed_loop") f.concurrency = w.concurrency;
  if (w.arrival == "trace") f.trace = w.trace;
  return f;
}

}  // namespace sp::cli
