#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "sim/cost/estimate.h"

namespace sp::cli {

Runner add_estimate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("estimate", "Analytic latency and throughput of one batch (no simulation)");
  auto flags = std::make_shared<DeploymentFlags>();
  auto in = std::make_shared<EstimateInput>();
  add_deployment_flags(cmd, *flags);
  cmd->add_option("--input-len", in->input_len, "Prompt tokens per request")->capture_default_str();
  cmd->add_option("--output-len", in->output_len, "Generated tokens per request")->capture_default_str();
  cmd->add_option("--batch-size", in->batch_size, "Requests per replica, batched together")->capture_default_str();
  return [flags, in]() {
    Deployment d = resolve(*flags);
    in->max_num_batched_tokens = d.memory.max_num_batched_tokens;
    in->max_num_seqs = d.memory.max_num_seqs;
    MemoryReport r = memory_plan(d.model, d.cluster, d.parallel, d.precision, d.memory);
    CostModel cm(d.model, d.cluster, d.parallel, d.precision, d.engine.overheads);
    Estimate e = estimate(cm, *in);
    const int64_t need = in->batch_size * (in->input_len + in->output_len);
    if (r.fits && need > r.kv_capacity_tokens) {
      r.fits = false;
      r.reason = fmt::format("a batch of {} x ({} + {}) tokens needs {} KV tokens but the cache holds {}; "
                             "lower --batch-size or raise --tp/--pp",
                             in->batch_size, in->input_len, in->output_len, need, r.kv_capacity_tokens);
    }
    std::string out = d.format == Format::json ? estimate_json(d, e, r).dump(2) + "\n" : estimate_table(d, e, r);
    return emit(out, r.fits, r.reason);
  };
}

}  // namespace sp::cli
