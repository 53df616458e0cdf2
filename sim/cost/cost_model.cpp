#include "sim/cost/cost_model.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/common/error.h"
#include "sim/cost/roofline.h"

namespace sp {

CostModel::CostModel(ModelConfig model, Cluster cluster, ParallelConfig parallel, Precision precision,
                     EngineOverheads engine)
    : model_(std::move(model)),
      cluster_(std::move(cluster)),
      pc_(parallel),
      prec_(precision),
      topo_(cluster_),
      engine_(engine) {
  parallel_validate(pc_, model_, cluster_);
  // FP8 weights on a GPU without FP8 tensor cores run weight-only (W8A16, as vLLM's Marlin
  // kernels do): half the weight bytes, bf16 math.
  fp8_tc_ = cluster_.system.gpu.peak_fp8_tflops > 0;
  stage_layers_ = stage_layer_counts(model_.num_layers, pc_.pp);
  stage_first_ = stage_first_layers(model_.num_layers, pc_.pp);
  auto tp = tp_group_gpus(pc_, 0, 0);
  tp_links_ = topo_.group_links(tp);
  auto ep = ep_group_gpus(pc_, 0, 0);
  ep_links_ = topo_.group_links(ep);
  for (int s = 0; s + 1 < pc_.pp; ++s) {
    const int pair[2] = {pc_.rank(0, s, 0), pc_.rank(0, s + 1, 0)};
    handoff_links_.push_back(topo_.group_links(pair));
  }
}

std::vector<Op> CostModel::stage_ops(int stage, const BatchShape& b) const {
  SP_ASSERT(stage >= 0 && stage < pc_.pp, "stage out of range");
  std::vector<Op> ops;
  if (stage == 0) ops = embedding_ops(model_, pc_, b);
  for (int i = 0; i < stage_layers_[size_t(stage)]; ++i) {
    auto l = layer_ops(model_, stage_first_[size_t(stage)] + i, pc_, prec_, fp8_tc_, b);
    ops.insert(ops.end(), l.begin(), l.end());
  }
  if (stage == pc_.pp - 1) {
    auto h = head_ops(model_, pc_, b);
    ops.insert(ops.end(), h.begin(), h.end());
  }
  return ops;
}

double CostModel::op_seconds(const Op& op, bool* compute_bound) const {
  if (op_is_communication(op.cls)) {
    if (compute_bound) *compute_bound = false;
    const GroupLinks& l = op.group == CommGroup::ep ? ep_links_ : tp_links_;
    const Collective c = op.cls == OpClass::allreduce   ? Collective::allreduce
                         : op.cls == OpClass::allgather ? Collective::allgather
                                                        : Collective::alltoall;
    return collective_time_s(c, op.comm_bytes, l);
  }
  OpTime t = op_time(op, cluster_.system.gpu);
  if (compute_bound) *compute_bound = t.compute_bound;
  return t.time_s;
}

namespace {

// `launch_s` > 0: kernels are launched one by one (no CUDA graph), and a kernel shorter than
// its launch leaves the GPU waiting for the difference.
void accumulate(StageTime& st, TrafficBytes* tr, const CostModel& cm, const std::vector<Op>& ops, double repeat,
                double launch_s) {
  for (const Op& op : ops) {
    bool cb = false;
    const double one = cm.op_seconds(op, &cb);
    const double s = one * repeat;
    if (launch_s > 0 && op.kernels > 0) st.overhead_s += std::max(0.0, op.kernels * launch_s - one) * repeat;
    if (op_is_communication(op.cls)) st.comm_s += s;
    else if (cb) st.compute_s += s;
    else st.memory_s += s;
    if (tr != nullptr) {
      if (op.cls == OpClass::allreduce) tr->allreduce += op.comm_bytes * repeat;
      if (op.cls == OpClass::allgather) tr->allgather += op.comm_bytes * repeat;
      if (op.cls == OpClass::alltoall) tr->alltoall += op.comm_bytes * repeat;
    }
  }
}

}  // namespace

StageTime CostModel::stage_time(int stage, const BatchShape& b, TrafficBytes* traffic) const {
  SP_ASSERT(stage >= 0 && stage < pc_.pp, "stage out of range");
  StageTime st;
  if (b.tokens <= 0) return st;
  // The engine's CPU step happens once per iteration, before the first stage runs.
  if (stage == 0) st.overhead_s += engine_.step_us * 1e-6;
  const bool graphed = b.prefill_pairs == 0 && b.seqs <= engine_.graph_max_seqs;
  const double launch_s = graphed ? 0.0 : engine_.eager_launch_us * 1e-6;
  if (stage == 0) accumulate(st, traffic, *this, embedding_ops(model_, pc_, b), 1, launch_s);
  // Layers of one kind cost the same: price each kind once and multiply (this keeps an
  // iteration O(1) in the layer count, which the simulator relies on).
  const int first = stage_first_[size_t(stage)], n = stage_layers_[size_t(stage)];
  int dense = 0, moe = 0, dense_layer = -1, moe_layer = -1;
  for (int i = first; i < first + n; ++i) {
    if (model_.layer_is_moe(i)) { ++moe; moe_layer = i; }
    else { ++dense; dense_layer = i; }
  }
  if (dense > 0) accumulate(st, traffic, *this, layer_ops(model_, dense_layer, pc_, prec_, fp8_tc_, b), dense, launch_s);
  if (moe > 0) accumulate(st, traffic, *this, layer_ops(model_, moe_layer, pc_, prec_, fp8_tc_, b), moe, launch_s);
  if (stage == pc_.pp - 1) accumulate(st, traffic, *this, head_ops(model_, pc_, b), 1, launch_s);
  return st;
}

double CostModel::handoff_bytes(const BatchShape& b) const { return pp_handoff_bytes(model_, b); }

double CostModel::handoff_time_s(int stage, const BatchShape& b) const {
  if (stage + 1 >= pc_.pp || b.tokens <= 0) return 0;
  return collective_time_s(Collective::sendrecv, pp_handoff_bytes(model_, b), handoff_links_[size_t(stage)]);
}

}  // namespace sp
