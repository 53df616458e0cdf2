// The work of one iteration on one rank, as a list of ops with FLOPs and bytes.
//
// This list is the single source of truth for what a rank does: the cost model prices it,
// the simulator schedules it, and the runtime executes the same sequence. Counts follow
// DESIGN.md's table (Megatron partitioning, per TP rank).
#pragma once

#include <string_view>
#include <vector>

#include "sim/common/dtype.h"
#include "sim/model/model_config.h"
#include "sim/parallel/parallel_config.h"

namespace sp {

enum class OpClass { gemm, attention, elementwise, allreduce, allgather, alltoall };

std::string_view op_class_name(OpClass c);
inline bool op_is_communication(OpClass c) {
  return c == OpClass::allreduce || c == OpClass::allgather || c == OpClass::alltoall;
}

enum class CommGroup { none, tp, ep };

// The shape an op's efficiency depends on, for the fitted tables of a GPU profile
// (EfficiencyTables); zero where it does not apply.
struct OpShape {
  double m = 0;                  // gemm: rows, e.g. tokens (experts: tokens per expert)
  double nk = 0;                 // gemm: weight elements per rank per row, n * k
  double prefill_flops = 0;      // attention: FLOPs of the prefilling sequences
  double prefill_len = 0;        // attention: mean new tokens per prefilling sequence
  double prefill_seqs_heads = 0; // attention: prefilling sequences * query heads per rank
  double decode_flops = 0;       // attention: FLOPs of the decoding sequences
  double decode_bytes = 0;       // attention: K/V bytes the decoding sequences read
  double decode_seqs = 0;        // attention: decoding sequences
  double decode_context = 0;     // attention: their mean context, tokens
};

struct Op {
  std::string_view name;         // e.g. "qkv_proj"
  OpClass cls = OpClass::gemm;
  double flops = 0;              // per rank
  double bytes = 0;              // HBM traffic per rank
  double comm_bytes = 0;         // collective buffer size, nccl-tests convention
  CommGroup group = CommGroup::none;
  int kernels = 1;               // kernel launches the op stands for
  bool fp8_compute = false;      // GEMM runs on FP8 tensor cores
  OpShape shape;
};

// What one iteration of one replica processes, summed over its sequences. Attention cost is
// linear in these sums, so a batch of thousands of sequences costs O(1) to price.
struct BatchShape {
  double tokens = 0;         // T: new tokens (prefill chunk tokens + one per decoding sequence)
  double seqs = 0;           // sequences in the batch
  double prefill_pairs = 0;  // sum over new prefill tokens of the context each attends to (itself included)
  double decode_pairs = 0;   // sum over decoding sequences of their context length (new token included)
  double kv_read = 0;        // tokens whose K/V are read from the cache this iteration
  double logits_rows = 0;    // rows the LM head computes (one per sequence that samples)
  double decode_seqs = 0;    // of `seqs`, those decoding one token (the rest prefill)

  BatchShape& operator+=(const BatchShape& o);
};

// `seqs` sequences each prefilling `chunk` tokens after `context` tokens already cached.
BatchShape batch_prefill(double seqs, double chunk, double context = 0, bool samples = true);
// `seqs` sequences each decoding one token with `context` tokens already cached.
BatchShape batch_decode(double seqs, double context);

// Ops of decoder layer `layer` on one rank (all TP ranks of a stage do the same work).
std::vector<Op> layer_ops(const ModelConfig& m, int layer, const ParallelConfig& pc, const Precision& prec,
                          bool fp8_tensor_cores, const BatchShape& b);
// Embedding lookup on the first stage; final norm, LM head and logits gather on the last.
std::vector<Op> embedding_ops(const ModelConfig& m, const ParallelConfig& pc, const BatchShape& b);
std::vector<Op> head_ops(const ModelConfig& m, const ParallelConfig& pc, const BatchShape& b);

// Bytes of K and V for one token in one layer on one rank.
double kv_bytes_per_token_layer(const ModelConfig& m, int tp, DType kv);
// Bytes handed from one PP stage to the next: vLLM sends hidden states and the residual.
double pp_handoff_bytes(const ModelConfig& m, const BatchShape& b);

}  // namespace sp
