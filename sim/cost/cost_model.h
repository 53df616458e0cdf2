// The cost model of one deployment: a model, a cluster and a parallel split, validated once,
// with the topology's answers for its TP, EP and PP groups cached. It prices one iteration of
// one PP stage for any batch; the estimator and the simulator both call it.
#pragma once

#include <vector>

#include "sim/cost/collective.h"
#include "sim/cost/ops.h"
#include "sim/hardware/topology.h"

namespace sp {

// Seconds of one stage's iteration, split by what bounded each op.
struct StageTime {
  double compute_s = 0;   // ops whose FLOP term dominated, with their kernel overheads
  double memory_s = 0;    // ops whose byte term dominated, with their kernel overheads
  double comm_s = 0;      // collectives
  double overhead_s = 0;  // the engine's: CPU work per iteration, kernel launches not hidden
  double total_s() const { return compute_s + memory_s + comm_s + overhead_s; }
  StageTime& operator+=(const StageTime& o) {
    compute_s += o.compute_s;
    memory_s += o.memory_s;
    comm_s += o.comm_s;
    overhead_s += o.overhead_s;
    return *this;
  }
};

// What the serving engine adds to every iteration beyond its ops (presets with their sources
// in sim/serving/engine_preset.h). The default adds nothing.
struct EngineOverheads {
  double step_us = 0;          // CPU time per iteration the GPUs wait for: scheduling, input preparation, sampling
  double graph_max_seqs = 0;   // decode-only iterations of at most this many sequences replay a CUDA graph
  double eager_launch_us = 0;  // CPU cost of launching one kernel outside a graph; exposed only where the
                               // kernel is shorter (the CPU runs ahead of longer kernels)
};

// Collective buffer bytes of one iteration of one stage on one rank, by kind.
struct TrafficBytes {
  double allreduce = 0, allgather = 0, alltoall = 0;
};

// What the simulator needs to price iterations; CostModel is the real one, tests supply
// synthetic ones (equal stages, fixed times) to check the simulator against closed forms.
class IterationCoster {
 public:
  virtual ~IterationCoster() = default;
  virtual int num_stages() const = 0;
  // One forward iteration of `stage` over `b`; adds the stage's collective traffic when asked.
  virtual StageTime stage_time(int stage, const BatchShape& b, TrafficBytes* traffic = nullptr) const = 0;
  // Handing the batch's activations from `stage` to `stage + 1`.
  virtual double handoff_time_s(int stage, const BatchShape& b) const = 0;
  virtual double handoff_bytes(const BatchShape& b) const = 0;
  // Decoder layers of a stage (timelines split an iteration into layers).
  virtual int stage_layer_count(int stage) const = 0;
};

class CostModel final : public IterationCoster {
 public:
  // Throws InputError when the split is invalid for this model and cluster.
  CostModel(ModelConfig model, Cluster cluster, ParallelConfig parallel, Precision precision,
            EngineOverheads engine = {});

  const ModelConfig& model() const { return model_; }
  const Cluster& cluster() const { return cluster_; }
  const ParallelConfig& parallel() const { return pc_; }
  const Precision& precision() const { return prec_; }
  const Topology& topology() const { return topo_; }
  const EngineOverheads& engine() const { return engine_; }
  const GroupLinks& tp_links() const { return tp_links_; }
  const std::vector<int>& stage_layers() const { return stage_layers_; }

  // The ops rank (stage, tp 0) runs for one iteration over batch `b`, in execution order.
  std::vector<Op> stage_ops(int stage, const BatchShape& b) const;
  int num_stages() const override { return pc_.pp; }
  StageTime stage_time(int stage, const BatchShape& b, TrafficBytes* traffic = nullptr) const override;
  double handoff_time_s(int stage, const BatchShape& b) const override;
  double handoff_bytes(const BatchShape& b) const override;
  int stage_layer_count(int stage) const override { return stage_layers_[size_t(stage)]; }
  // Seconds of one op on this deployment's GPU or links.
  double op_seconds(const Op& op, bool* compute_bound = nullptr) const;

  // Whether the TP group has to cross nodes (slow: NICs instead of NVLink).
  bool tp_crosses_nodes() const { return tp_links_.crosses_nodes(); }

 private:
  ModelConfig model_;
  Cluster cluster_;
  ParallelConfig pc_;
  Precision prec_;
  Topology topo_;
  GroupLinks tp_links_, ep_links_;
  std::vector<GroupLinks> handoff_links_;  // stage s -> s+1
  std::vector<int> stage_layers_, stage_first_;
  bool fp8_tc_ = false;
  EngineOverheads engine_;
};

}  // namespace sp
