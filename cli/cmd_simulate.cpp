#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/workload_flags.h"
#include "sim/common/error.h"
#include "sim/cost/memory.h"
#include "sim/serving/simulator.h"
#include "sim/serving/timeline.h"

namespace sp::cli {

namespace {

// A few minutes of simulation on one core of the development machine (docs/performance.md).
constexpr uint64_t kDefaultMaxSteps = 5'000'000'000;
constexpr uint64_t kMaxMaxSteps = 1'000'000'000'000;

struct SimFlags {
  WorkloadFlags workload;
  std::string scheduler = "continuous", router = "round-robin";
  bool no_chunked_prefill = false;
  int microbatches = 0;
  int64_t batch_size = 0;
  std::string timeline;
  uint64_t max_steps = kDefaultMaxSteps;
};

void add_sim_flags(CLI::App* cmd, SimFlags& f) {
  add_workload_flags(cmd, f.workload);
  cmd->add_option("--scheduler", f.scheduler, "continuous (vLLM-style) or static (fixed batch run to completion)")
      ->capture_default_str();
  cmd->add_flag("--no-chunked-prefill", f.no_chunked_prefill, "Prefill whole prompts in one iteration");
  cmd->add_option("--microbatches", f.microbatches, "Batches in flight per replica (0 = one per PP stage)")
      ->capture_default_str();
  cmd->add_option("--batch-size", f.batch_size, "Static scheduler: requests per batch (0 = --max-num-seqs)")
      ->capture_default_str();
  cmd->add_option("--router", f.router, "DP router: round-robin or least-outstanding")->capture_default_str();
  cmd->add_option("--timeline", f.timeline, "Write the simulated timeline as a Chrome trace (Perfetto) to FILE");
  cmd->add_option("--max-steps", f.max_steps,
                  "Refuse (exit 2) a run needing more steps (events + sequence-iterations): bounds the run time")
      ->capture_default_str();
}

}  // namespace

Runner add_simulate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("simulate", "Discrete-event simulation of serving a workload on a deployment");
  auto dflags = std::make_shared<DeploymentFlags>();
  auto sflags = std::make_shared<SimFlags>();
  add_deployment_flags(cmd, *dflags);
  add_sim_flags(cmd, *sflags);
  return [dflags, sflags]() {
    const auto wall0 = std::chrono::steady_clock::now();
    const SimFlags& f = *sflags;
    Deployment d = resolve(*dflags);

    WorkloadSpec w = workload_spec(f.workload);
    SchedulerConfig sc;
    if (f.scheduler == "continuous") sc.kind = SchedulerKind::continuous;
    else if (f.scheduler == "static") sc.kind = SchedulerKind::static_batch;
    else throw InputError(fmt::format("--scheduler: unknown scheduler '{}' (use continuous or static)", f.scheduler));
    sc.max_num_seqs = d.memory.max_num_seqs;
    sc.chunked_prefill = !f.no_chunked_prefill;
    sc.reserve_full_kv = d.engine.reserve_full_kv;
    if (f.microbatches < 0 || f.microbatches > 4096) {
      throw InputError(fmt::format("--microbatches: {} is out of range (use 0 to 4096)", f.microbatches));
    }
    sc.microbatches = f.microbatches;
    if (f.batch_size < 0 || f.batch_size > kMaxRequests) {
      throw InputError(fmt::format("--batch-size: {} is out of range (use 0 for --max-num-seqs, or 1 to {})", f.batch_size,
                                   kMaxRequests));
    }
    if (f.batch_size > 0 && sc.kind != SchedulerKind::static_batch) {
      throw InputError(fmt::format("--batch-size: {} applies to --scheduler static only (continuous batching is bounded "
                                   "by --max-num-seqs)", f.batch_size));
    }
    sc.static_batch_size = f.batch_size;
    if (f.max_steps < 1 || f.max_steps > kMaxMaxSteps) {
      throw InputError(fmt::format("--max-steps: {} is out of range (use 1 to {})", f.max_steps, kMaxMaxSteps));
    }
    SimConfig cfg;
    cfg.scheduler = sc;
    if (f.router == "round-robin") cfg.router = RouterKind::round_robin;
    else if (f.router == "least-outstanding") cfg.router = RouterKind::least_outstanding;
    else throw InputError(fmt::format("--router: unknown router '{}' (use round-robin or least-outstanding)", f.router));

    // Probed before simulating, so an unwritable path fails in a second rather than after the
    // run; appending creates nothing new in an existing file, and a file the probe created goes.
    if (!f.timeline.empty()) {
      std::error_code ec;
      const bool existed = std::filesystem::exists(f.timeline, ec);
      if (!std::ofstream(f.timeline, std::ios::app)) {
        throw InputError(fmt::format("--timeline: cannot write '{}'", f.timeline));
      }
      if (!existed) std::filesystem::remove(f.timeline, ec);
    }
    if (f.no_chunked_prefill) {
      const bool longest_given = d.memory.max_model_len > 0;
      const auto* budget = dflags->max_num_batched_tokens_opt;
      d.memory.max_num_batched_tokens = unchunked_token_budget(
          d.memory.max_num_batched_tokens, budget && budget->count() > 0,
          longest_given ? d.memory.max_model_len : d.model.max_position, longest_given);
      // A larger budget needs more activation memory, which moves TensorRT-LLM's share.
      const auto* util = dflags->gpu_memory_utilization_opt;
      if (util == nullptr || util->count() == 0) {
        d.memory.gpu_memory_utilization =
            engine_memory_utilization(d.engine, d.model, d.cluster, d.parallel, d.precision, d.memory);
      }
    }
    cfg.scheduler.max_num_batched_tokens = sc.max_num_batched_tokens = d.memory.max_num_batched_tokens;
    MemoryReport mem = memory_plan(d.model, d.cluster, d.parallel, d.precision, d.memory);
    if (!mem.fits) {
      fmt::print(stderr, "shardplan: infeasible: {}\n", mem.reason);
      return int(kInfeasible);
    }
    const std::vector<Request> reqs = workload_generate(w);
    CostModel cm(d.model, d.cluster, d.parallel, d.precision, d.engine.overheads);
    cfg.replicas = d.parallel.dp;
    cfg.tp = d.parallel.tp;
    cfg.kv_capacity_tokens = mem.kv_capacity_tokens;
    cfg.max_model_len = mem.max_model_len;
    cfg.concurrency = w.concurrency;
    cfg.timeline = !f.timeline.empty();
    cfg.max_steps = f.max_steps;
    if (isatty(STDERR_FILENO)) {
      cfg.progress = [](double frac) { fmt::print(stderr, "\rsimulating: {:5.1f}%", 100 * frac); };
    }
    SimResult res = simulate(cm, cfg, reqs);
    if (cfg.progress) fmt::print(stderr, "\r                   \r");

    if (!f.timeline.empty()) {
      std::ofstream timeline_out(f.timeline);
      timeline_write(timeline_out, res, d.parallel.tp, d.parallel.pp);
      timeline_out.close();
      if (!timeline_out) throw InputError(fmt::format("--timeline: writing '{}' failed (disk full?)", f.timeline));
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    const SimulateInfo info{.scheduler = f.scheduler, .scheduler_config = sc, .requests = int64_t(reqs.size()),
                            .seed = f.workload.seed, .wall_s = wall};
    const nlohmann::json j = simulate_json(d, info, mem, res);
    std::string out;
    if (d.format == Format::json) {
      out = j.dump(2) + "\n";
    } else {
      out = simulate_table(d, j);
    }
    std::string reason;
    if (!res.rejected.empty()) {
      reason = fmt::format("{} of {} requests can never fit and were not run (first: request {}: {})",
                           res.rejected.size(), reqs.size(), res.rejected[0].request, res.rejected[0].reason);
    }
    if (res.timeline_truncated) {
      fmt::print(stderr, "shardplan: note: timeline truncated at {} slices\n", cfg.timeline_max_events);
    }
    return emit(out, res.rejected.empty(), reason);
  };
}

}  // namespace sp::cli
