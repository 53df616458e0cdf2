#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/output.h"

namespace sp::cli {

Runner add_memory_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("memory", "Memory per GPU of a TP/PP split: weights, activations, overhead, KV cache");
  auto flags = std::make_shared<DeploymentFlags>();
  add_deployment_flags(cmd, *flags);
  return [flags]() {
    Deployment d = resolve(*flags);
    MemoryReport r = memory_plan(d.model, d.cluster, d.parallel, d.precision, d.memory);
    std::string out = d.format == Format::json ? memory_json(d, r).dump(2) + "\n" : memory_table(d, r);
    return emit(out, r.fits, r.reason);
  };
}

}  // namespace sp::cli
