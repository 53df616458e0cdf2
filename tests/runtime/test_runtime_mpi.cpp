// shardplan-run under mpirun: sharded logits equal the unsharded reference for TP and PP in
// {1, 2, 4} and their products up to 4 ranks, the measurements JSON holds real timings, and a
// failing or hanging rank stops the job with a message naming it.
//
// np 4 on the 2-core machine runs oversubscribed: fine for numerics, not for timing. As root,
// OpenMPI refuses to start without its two opt-in variables, which the test sets for itself.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "planner/plan_file.h"
#include "runtime/launch.h"

using namespace sp;

namespace {

std::filesystem::path scratch() {
  auto d = std::filesystem::temp_directory_path() / fmt::format("shardplan_mpi_test_{}", ::getpid());
  std::filesystem::create_directories(d);
  return d;
}

std::string write_plan(int tp, int pp, int dp = 1, const std::string& model = "tiny-llama-512") {
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  PlanFile p;
  p.model = model;
  p.hardware = "dgx-h100";
  p.parallel = {.tp = tp, .pp = pp, .dp = dp, .ep = 1};
  p.placement = placement_make(p.parallel, 8);
  const auto path = scratch() / fmt::format("plan_{}x{}x{}_{}.json", tp, pp, dp, model);
  plan_save(p, path);
  return path.string();
}

LaunchResult mpirun(int np, const std::string& args) {
  return shell_run(fmt::format("{} -np {} --oversubscribe {} {}", MPIEXEC, np, SHARDPLAN_RUN_BIN, args));
}

}  // namespace

TEST_SUITE("runtime_mpi") {

TEST_CASE("sharded logits equal the one-rank reference for TP and PP in {1,2,4}") {
  for (auto [tp, pp] : {std::pair{1, 1}, {2, 1}, {4, 1}, {1, 2}, {1, 4}, {2, 2}}) {
    CAPTURE(tp);
    CAPTURE(pp);
    const auto out = scratch() / fmt::format("run_{}x{}.json", tp, pp);
    const auto r = mpirun(tp * pp, fmt::format("--plan {} --batch 4 --prompt-len 16 --decode-steps 3 --warmup 0 "
                                               "--iters 1 --check --out {}",
                                               write_plan(tp, pp), out.string()));
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(std::ifstream(out));
    CHECK(j["check"]["passed"] == true);
    CHECK(j["check"]["wrong"] == 0);
    // Logits of the prefill and of 3 decode steps, 4 sequences, vocabulary 8192.
    CHECK(j["check"]["compared"] == 4 * 4 * 8192);
    CHECK(j["check"]["max_abs_err"].get<double>() < 1e-4);
    CHECK(j["ranks"].size() == size_t(tp * pp));
    CHECK(j["shape"]["microbatches"] == pp);
  }
}

TEST_CASE("data-parallel replicas run side by side, each with the reference's logits") {
  const auto out = scratch() / "run_dp2.json";
  const auto r = mpirun(2, fmt::format("--plan {} --batch 2 --prompt-len 8 --decode-steps 2 --warmup 0 --iters 1 "
                                       "--check --out {}",
                                       write_plan(1, 1, 2), out.string()));
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(std::ifstream(out));
  CHECK(j["check"]["passed"] == true);
  CHECK(j["ranks"][1]["replica"] == 1);
}

TEST_CASE("the check can fail: a zero tolerance rejects TP's reordered sums") {
  const auto r = mpirun(2, fmt::format("--plan {} --batch 2 --prompt-len 8 --decode-steps 1 --warmup 0 --iters 1 "
                                       "--check --tolerance 0",
                                       write_plan(2, 1)));
  CHECK(r.code == 1);
  CHECK(r.out.find("check FAILED") != std::string::npos);
}

TEST_CASE("measurements: real phase times, time by class per rank, one Chrome trace per rank") {
  const auto dir = scratch() / "trace";
  std::filesystem::create_directories(dir);
  const auto out = scratch() / "timing.json";
  const auto r = mpirun(2, fmt::format("--plan {} --batch 2 --prompt-len 16 --decode-steps 2 --warmup 1 --iters 2 "
                                       "--out {} --trace {}",
                                       write_plan(1, 2), out.string(), dir.string()));
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(std::ifstream(out));
  CHECK(j["prefill_s"].size() == 2);
  CHECK(j["decode_step_s"].size() == 4);
  CHECK(j["prefill_median_s"].get<double>() > 0);
  CHECK(j["decode_step_median_s"].get<double>() > 0);
  // The second stage waits for the first: idle time and a hand-off it received.
  const auto& last = j["ranks"][1];
  CHECK(last["stage"] == 1);
  CHECK(last["prefill_s"]["gemm"].get<double>() > 0);
  CHECK(last["prefill_s"]["idle"].get<double>() > 0);
  CHECK(last["prefill_s"]["sendrecv"].get<double>() > 0);
  CHECK(last["prefill_s"]["allreduce"].get<double>() == 0);
  // Per-op medians leave idle waiting out, so they cannot exceed the phase.
  CHECK(last["decode_step_ops_median_s"].get<double>() > 0);
  CHECK(last["prefill_ops_median_s"].get<double>() < j["prefill_median_s"].get<double>() * 1.5);
  // Per op name: every rank's medians reach rank 0, and they add up to the rank's total.
  double sum = 0;
  for (const auto& [name, s] : last["decode_step_ops_s"].items()) sum += s.get<double>();
  CHECK(sum == doctest::Approx(last["decode_step_ops_median_s"].get<double>()).epsilon(1e-9));
  CHECK(last["decode_step_ops_s"].contains("lm_head"));
  CHECK(!j["ranks"][0]["prefill_ops_s"].contains("lm_head"));
  CHECK(j["ranks"][0]["prefill_ops_s"].contains("embedding"));
  for (int rank : {0, 1}) {
    const auto t = nlohmann::json::parse(std::ifstream(dir / fmt::format("trace_rank{}.json", rank)));
    CHECK(t["traceEvents"].size() > 20);
    CHECK(t["traceEvents"][1]["ph"] == "X");
  }
}

TEST_CASE("a failing rank stops the job with its rank and cause, never a hang") {
  const auto plan = write_plan(2, 1);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = mpirun(2, fmt::format("--plan {} --fail-rank 1 --fail-mode throw", plan));
  CHECK(r.code != 0);
  CHECK(r.err.find("shardplan-run: rank 1: failed: injected failure (--fail-rank 1)") != std::string::npos);

  // A rank that dies: mpirun stops the others and names the process.
  r = mpirun(2, fmt::format("--plan {} --fail-rank 1 --fail-mode exit", plan));
  CHECK(r.code != 0);
  CHECK(r.err.find("exited with non-zero status") != std::string::npos);

  // A rank that hangs: every rank's watchdog fires after --timeout seconds.
  r = mpirun(2, fmt::format("--plan {} --fail-rank 0 --fail-mode hang --timeout 2", plan));
  CHECK(r.code != 0);
  CHECK(r.err.find("no progress for") != std::string::npos);

  // A bad plan path: every rank names itself and the file.
  r = mpirun(2, "--plan /nonexistent/plan.json");
  CHECK(r.code == 2);
  CHECK(r.err.find("shardplan-run: rank 0: error: /nonexistent/plan.json") != std::string::npos);

  // A plan for 4 ranks started on 2.
  r = mpirun(2, fmt::format("--plan {}", write_plan(2, 2)));
  CHECK(r.code == 2);
  CHECK(r.err.find("but mpirun started 2; run mpirun -np 4") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60));
}

TEST_CASE("a plan that does not fit in memory is refused by every rank before allocating, in one line") {
  const auto plan = write_plan(2, 1);
  const auto t0 = std::chrono::steady_clock::now();
  // 1 MiB per rank: far below the weights alone.
  auto r = mpirun(2, fmt::format("--plan {} --check --memory-limit-gib 0.001", plan));
  CHECK(r.code == 2);
  CHECK(r.err.find("shardplan-run: error: the plan does not fit in memory, nothing was allocated: rank 0 (replica 0, "
                   "stage 0, TP rank 0) needs ") != std::string::npos);
  CHECK(r.err.find("unsharded reference for --check") != std::string::npos);
  CHECK(r.err.find("the --check reference alone holds the whole model") != std::string::npos);
  // One line from the job, not one per rank, and no abort.
  size_t lines = 0;
  for (size_t at = r.err.find("shardplan-run:"); at != std::string::npos; at = r.err.find("shardplan-run:", at + 1))
    ++lines;
  CHECK(lines == 1);
  CHECK(r.err.find("MPI_ABORT") == std::string::npos);

  // Only the checking rank (the last stage, which also holds the unsharded reference) is over
  // the limit: rank 0 still prints the line, naming rank 1.
  r = mpirun(2, fmt::format("--plan {} --check --memory-limit-gib 0.05", write_plan(1, 2)));
  CHECK(r.code == 2);
  CHECK(r.err.find("does not fit in memory, nothing was allocated: rank 1 (replica 0, stage 1, TP rank 0)") !=
        std::string::npos);

  // Without a limit the host's available memory decides: a KV cache of 2^41 floats cannot fit.
  r = mpirun(2, fmt::format("--plan {} --batch 4096 --prompt-len 4000 --decode-steps 64", plan));
  CHECK(r.code == 2);
  CHECK(r.err.find("rank(s) on this host need") != std::string::npos);
  CHECK(r.err.find("GiB it has available") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60));
}

}  // TEST_SUITE
