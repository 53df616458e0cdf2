#include <unistd.h>

#include <thread>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/plan_output.h"
#include "cli/plan_request.h"
#include "sim/common/error.h"

namespace sp::cli {

Runner add_plan_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("plan", "Search TP/PP/DP/EP splits and batch settings; recommend one under SLOs");
  auto f = std::make_shared<PlanFlags>();
  add_plan_flags(cmd, *f);
  cmd->add_option("--top", f->top, "Ranked alternatives to show")->capture_default_str();
  cmd->add_option("--out", f->out, "Write the recommended plan (plan.json, read by the runtime and validate) to FILE");
  return [f]() {
    PlanContext ctx = plan_context(*f);
    if (isatty(STDERR_FILENO)) {
      ctx.request.progress = [](double frac) {
        const int w = 30, done = int(frac * w + 0.5);
        fmt::print(stderr, "\rplanning [{}{}] {:3.0f}%", std::string(size_t(done), '#'), std::string(size_t(w - done), ' '),
                   100 * frac);
      };
    }
    const PlanResult r = plan_search(ctx.request);
    if (ctx.request.progress) fmt::print(stderr, "\r{:50}\r", "");
    const Format format = parse_format(f->format);
    if (!f->out.empty()) {
      if (r.recommended) {
        PlanFile pf = plan_file_of(ctx, r, r.ranked[*r.recommended]);
        pf.prediction = evaluated_json(ctx, r, r.ranked[*r.recommended]);
        plan_save(pf, f->out);
      } else {
        fmt::print(stderr, "shardplan: note: nothing recommended, so --out '{}' was not written\n", f->out);
      }
    }
    const std::string out = format == Format::json ? plan_result_json(ctx, r).dump(2) + "\n" : plan_table(ctx, r);
    return emit(out, r.recommended.has_value(), plan_failure_reason(r));
  };
}

}  // namespace sp::cli
