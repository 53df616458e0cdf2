// runtime/executor: the ops a rank executes are the ops the cost model prices for it, and the
// executor refuses what it cannot run. Runs in one process (NullComm); the MPI runs are in
// test_runtime_mpi.cpp.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/cpu/cpu_device.h"
#include "runtime/executor.h"
#include "sim/common/error.h"

using namespace sp;

namespace {

CostModel tiny(int tp, int pp) {
  return CostModel(model_load("tiny-llama-512"), cluster_make("dgx-h100", 1),
                   ParallelConfig{.tp = tp, .pp = pp, .dp = 1, .ep = 1}, Precision{});
}

std::vector<std::string> names(const std::vector<Op>& ops) {
  std::vector<std::string> out;
  for (const auto& op : ops) out.emplace_back(op.name);
  return out;
}

}  // namespace

TEST_SUITE("executor") {

TEST_CASE("every rank executes exactly the op sequence CostModel::stage_ops prices for it") {
  const RunShape shape{.batch = 2, .prompt_len = 8, .decode_steps = 2, .microbatches = 1};
  for (auto [tp, pp] : {std::pair{1, 1}, {2, 1}, {4, 1}, {1, 2}, {2, 2}, {1, 4}}) {
    const CostModel cm = tiny(tp, pp);
    for (int stage = 0; stage < pp; ++stage) {
      for (int t = 0; t < tp; ++t) {
        CAPTURE(tp);
        CAPTURE(pp);
        CAPTURE(stage);
        CpuDevice dev;
        NullComm comm(tp);
        Executor ex(cm, {.replica = 0, .stage = stage, .tp_rank = t}, 1, dev, comm);
        Recorder rec;
        rec.keep_names(true);
        ex.start(shape);
        ex.prefill(rec);
        std::vector<std::string> got(rec.executed().begin(), rec.executed().end());
        CHECK(got == names(cm.stage_ops(stage, run_prefill_batch(shape))));
        rec.clear_executed();
        ex.decode_step(0, rec);
        got.assign(rec.executed().begin(), rec.executed().end());
        CHECK(got == names(cm.stage_ops(stage, run_decode_batch(shape, 0))));
      }
    }
  }
}

TEST_CASE("the op list of a TP=2 stage carries the Megatron AllReduces and the logits gather") {
  const CostModel cm = tiny(2, 1);
  const auto ops = names(cm.stage_ops(0, run_decode_batch(RunShape{}, 0)));
  CHECK(std::count(ops.begin(), ops.end(), "attn_allreduce") == 4);
  CHECK(std::count(ops.begin(), ops.end(), "mlp_allreduce") == 4);
  CHECK(std::count(ops.begin(), ops.end(), "logits_gather") == 1);
}

TEST_CASE("one rank is deterministic and its time is booked by class") {
  const CostModel cm = tiny(1, 1);
  const RunShape shape{.batch = 2, .prompt_len = 4, .decode_steps = 1, .microbatches = 1};
  CpuDevice dev;
  NullComm comm;
  Recorder rec;
  Executor a(cm, {}, 7, dev, comm), b(cm, {}, 7, dev, comm), c(cm, {}, 8, dev, comm);
  for (Executor* e : {&a, &b, &c}) {
    e->start(shape);
    e->prefill(rec);
  }
  CHECK(a.logits() == b.logits());
  CHECK(a.logits() != c.logits());
  CHECK(a.tokens() == b.tokens());
  const ClassSeconds t = rec.take_totals();
  CHECK(t[size_t(TimeClass::gemm)] > 0);
  CHECK(t[size_t(TimeClass::attention)] > 0);
  CHECK(t[size_t(TimeClass::allreduce)] == 0);
  CHECK(rec.take_totals()[size_t(TimeClass::gemm)] == 0);
}

TEST_CASE("the executor refuses models and shapes it cannot run, with the reason") {
  CHECK_THROWS_WITH_AS(rank_shape(model_load("mixtral-8x7b"), 1, 0),
                       "model 'mixtral-8x7b': the runtime runs dense Llama-style models only (no MoE, MLA or q/k/v "
                       "biases yet); use a tiny-llama-* model",
                       InputError);
  CHECK_THROWS_WITH_AS(run_shape_validate(RunShape{.batch = 3, .prompt_len = 4, .decode_steps = 1, .microbatches = 2}),
                       "run shape: 2 microbatches do not divide a batch of 3 sequences; pick a divisor of the batch",
                       InputError);
}

}  // TEST_SUITE
