// shardplan validate: run a plan on the CPU runtime and compare it with the prediction.
#include <fstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "report/gnuplot.h"
#include "report/json_reports.h"
#include "report/write.h"
#include "runtime/validate.h"
#include "sim/common/error.h"

namespace sp::cli {

namespace {

struct ValidateFlags {
  std::string plan, model, backend = "cpu", profile, out = "validation", format = "table";
  ParallelConfig parallel;
  int np = 0;
  RunShape shape{.batch = 4, .prompt_len = 128, .decode_steps = 16, .microbatches = 0};
  int warmup = 1, iters = 3;
  uint64_t seed = 0;
  double timeout_s = 600, max_error_pct = 15;
  bool trace = false;
};

}  // namespace

Runner add_validate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("validate", "Run a plan on the CPU runtime (mpirun) and compare the measurements "
                                             "with the cost model's prediction");
  auto f = std::make_shared<ValidateFlags>();
  auto* plan = cmd->add_option("--plan", f->plan, "plan.json to run (from 'shardplan plan --out')");
  auto* model = cmd->add_option("--model", f->model, "without --plan: the model to run, e.g. tiny-llama-512");
  plan->excludes(model);
  cmd->add_option("--tp", f->parallel.tp, "without --plan: tensor parallel degree")->capture_default_str();
  cmd->add_option("--pp", f->parallel.pp, "without --plan: pipeline stages")->capture_default_str();
  cmd->add_option("--dp", f->parallel.dp, "without --plan: replicas")->capture_default_str();
  cmd->add_option("--backend", f->backend, "runtime backend: cpu (cuda: not implemented yet)")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
  cmd->add_option("--np", f->np, "MPI ranks (default: the plan's tp*pp*dp; must equal it)");
  cmd->add_option("--profile", f->profile, "system profile for the prediction, e.g. from 'calibrate --backend cpu' "
                                           "(default: the plan's hardware)");
  cmd->add_option("--out", f->out, "folder for plan.json, measurement.json, validation.json, validation.md and report.md/report.html")
      ->capture_default_str();
  cmd->add_option("--batch", f->shape.batch, "B: sequences in the batch")->capture_default_str();
  cmd->add_option("--prompt-len", f->shape.prompt_len, "S: prompt tokens per sequence")->capture_default_str();
  cmd->add_option("--decode-steps", f->shape.decode_steps, "D: decode steps after the prefill")->capture_default_str();
  cmd->add_option("--microbatches", f->shape.microbatches, "microbatches per phase; 0 = the plan's, else one per stage")
      ->capture_default_str();
  cmd->add_option("--warmup", f->warmup, "untimed iterations")->capture_default_str();
  cmd->add_option("--iters", f->iters, "timed iterations (medians are compared)")->capture_default_str();
  cmd->add_option("--seed", f->seed, "seed of the synthetic weights and prompts")->capture_default_str();
  cmd->add_option("--timeout", f->timeout_s, "seconds before the run is stopped")->capture_default_str();
  cmd->add_option("--max-error", f->max_error_pct, "verdict threshold, percent, for prefill and decode step")
      ->capture_default_str();
  cmd->add_flag("--trace", f->trace, "also write a Chrome trace per rank into the --out folder");
  add_format_flag(cmd, f->format);
  return [f]() {
    const Format format = parse_format(f->format);
    backend_check(f->backend);
    for (auto [flag, v, lo] : {std::tuple{"--batch", f->shape.batch, 1},
                               {"--prompt-len", f->shape.prompt_len, 1},
                               {"--decode-steps", f->shape.decode_steps, 0}}) {
      if (v < lo) throw InputError(fmt::format("{}: {} is out of range (use {} or more)", flag, v, lo));
    }
    if (!(f->max_error_pct > 0 && f->max_error_pct <= 1000)) {
      throw InputError(fmt::format("--max-error: {} is out of range (a percentage in (0, 1000], e.g. 15)", f->max_error_pct));
    }
    ValidateOptions o;
    if (!f->plan.empty()) {
      o.plan = plan_load(f->plan);
    } else {
      if (f->model.empty()) throw InputError("validate: give --plan plan.json, or --model with --tp/--pp/--dp");
      if (f->profile.empty()) throw InputError("validate: without --plan, --profile names the hardware to predict with");
      o.plan.model = f->model;
      o.plan.hardware = f->profile;
      o.plan.parallel = f->parallel;
      o.plan.placement = placement_make(f->parallel, cluster_make(f->profile, 1).system.gpus_per_node);
    }
    o.profile = f->profile;
    o.np = f->np;
    o.shape = f->shape;
    o.warmup = f->warmup;
    o.iters = f->iters;
    o.seed = f->seed;
    o.timeout_s = f->timeout_s;
    o.max_error_pct = f->max_error_pct;
    o.trace = f->trace;
    o.out_dir = f->out;
    const ValidationReport r = validate_cpu(o);
    const nlohmann::json j = validation_to_json(r, o);
    const std::string md = validation_to_markdown(r, o);
    std::ofstream(o.out_dir / "validation.json") << j.dump(2) << "\n";
    std::ofstream(o.out_dir / "validation.md") << md;
    // The measurement is the point of the run; a missing plotter only costs the pictures.
    if (report::gnuplot_available()) {
      report::report_write(report::validation_report(j, (o.out_dir / "validation.json").string()), o.out_dir);
    } else {
      fmt::print(stderr, "shardplan: note: gnuplot not found, so report.md/report.html were not written "
                         "(scripts/install-deps.sh installs gnuplot-nox)\n");
    }
    fmt::print("{}", format == Format::json ? j.dump(2) + "\n" : md);
    return kOk;
  };
}

}  // namespace sp::cli
