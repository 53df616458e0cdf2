// runtime/executor: the ops a rank executes are the ops the cost model prices for it, and the
// executor refuses what it cannot run. Runs in one process (NullComm); the MPI runs are in
// test_runtime_mpi.cpp.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/cpu/cpu_device.h"
#include "runtime/executor.h"
#include "runtime/rank_memory.h"
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

TEST_CASE("rank_memory counts exactly the weights the runtime materialises, before it does") {
  const ModelConfig m = model_load("tiny-llama-512");
  for (int tp : {1, 2, 4}) {
    for (int pp : {1, 2, 4}) {
      const auto first = stage_first_layers(m.num_layers, pp);
      const auto count = stage_layer_counts(m.num_layers, pp);
      for (int stage = 0; stage < pp; ++stage) {
        const RankShape rs = rank_shape(m, tp, tp - 1);
        const bool is_first = stage == 0, is_last = stage == pp - 1;
        const StageWeights w =
            weights_materialise(m, rs, first[size_t(stage)], count[size_t(stage)], is_first, is_last, 7);
        size_t floats = w.embedding.size() + w.final_norm.size() + w.lm_head.size();
        for (const auto& l : w.layers)
          floats += l.input_norm.size() + l.qkv.size() + l.o.size() + l.post_norm.size() + l.gate_up.size() +
                    l.down.size();
        INFO("tp ", tp, " pp ", pp, " stage ", stage);
        CHECK(rank_weight_floats(m, rs, count[size_t(stage)], is_first, is_last) == int64_t(floats));
        const ParallelConfig pc{.tp = tp, .pp = pp, .dp = 1, .ep = 1};
        const RankMemory r = rank_memory(m, pc, {.stage = stage, .tp_rank = tp - 1},
                                         RunShape{.batch = 4, .prompt_len = 16, .decode_steps = 4, .microbatches = 2},
                                         false);
        CHECK(r.weights == 4 * int64_t(floats));
      }
    }
  }
  // The KV cache grows with the batch and the context; --check adds the unsharded model.
  const ParallelConfig pc{.tp = 2, .pp = 1, .dp = 1, .ep = 1};
  const RunShape small{.batch = 2, .prompt_len = 16, .decode_steps = 4, .microbatches = 1};
  const RunShape big{.batch = 4, .prompt_len = 16, .decode_steps = 4, .microbatches = 1};
  const RankMemory a = rank_memory(m, pc, {}, small, false), b = rank_memory(m, pc, {}, big, false);
  CHECK(b.kv_cache == 2 * a.kv_cache);
  CHECK(a.reference == 0);
  const RankMemory c = rank_memory(m, pc, {}, small, true);
  CHECK(c.reference > 2 * a.weights);  // the whole model (and its cache) on one rank
  CHECK(rank_memory_text(c).find("unsharded reference for --check") != std::string::npos);
}

}  // TEST_SUITE
