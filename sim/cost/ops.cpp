#include "sim/cost/ops.h"

#include <algorithm>
#include <cmath>

#include "sim/model/weights.h"

namespace sp {

std::string_view op_class_name(OpClass c) {
  switch (c) {
    case OpClass::gemm: return "gemm";
    case OpClass::attention: return "attention";
    case OpClass::elementwise: return "elementwise";
    case OpClass::allreduce: return "allreduce";
    case OpClass::allgather: return "allgather";
    case OpClass::alltoall: return "alltoall";
  }
  return "?";
}

BatchShape& BatchShape::operator+=(const BatchShape& o) {
  tokens += o.tokens;
  seqs += o.seqs;
  prefill_pairs += o.prefill_pairs;
  decode_pairs += o.decode_pairs;
  kv_read += o.kv_read;
  logits_rows += o.logits_rows;
  decode_seqs += o.decode_seqs;
  return *this;
}

BatchShape batch_prefill(double seqs, double chunk, double context, bool samples) {
  // Token i of the chunk attends to context + i + 1 positions (causal).
  return BatchShape{.tokens = seqs * chunk,
                    .seqs = seqs,
                    .prefill_pairs = seqs * (chunk * context + chunk * (chunk + 1) / 2),
                    .decode_pairs = 0,
                    .kv_read = seqs * (context + chunk),
                    .logits_rows = samples ? seqs : 0};
}

BatchShape batch_decode(double seqs, double context) {
  return BatchShape{.tokens = seqs,
                    .seqs = seqs,
                    .prefill_pairs = 0,
                    .decode_pairs = seqs * (context + 1),
                    .kv_read = seqs * (context + 1),
                    .logits_rows = seqs,
                    .decode_seqs = seqs};
}

double kv_bytes_per_token_layer(const ModelConfig& m, int tp, DType kv) {
  if (m.is_mla()) {
    // The compressed latent (kv_lora + rope) is replicated on every TP rank.
    return double(m.mla.kv_lora_rank + m.mla.qk_rope_head_dim) * dtype_bytes(kv);
  }
  const int kv_heads_rank = (m.num_kv_heads + tp - 1) / tp;
  return 2.0 * kv_heads_rank * double(m.head_dim) * dtype_bytes(kv);
}

double pp_handoff_bytes(const ModelConfig& m, const BatchShape& b) {
  return 2.0 * b.tokens * double(m.hidden) * kActivationBytes;
}

namespace {

constexpr double kB = kActivationBytes;

// Weight bytes one rank holds for the tensors named, from the inventory in sim/model/weights.
double weight_bytes(const std::vector<WeightTensor>& ws, std::initializer_list<std::string_view> names,
                    const ModelConfig& m, const ParallelConfig& pc, const Precision& prec) {
  double bytes = 0;
  for (const auto& w : ws) {
    if (std::find(names.begin(), names.end(), w.name) == names.end()) continue;
    const double per = w.quantized ? dtype_bytes(prec.weights) : 2.0;
    bytes += double(w.params) * shard_fraction(w.shard, m, pc.tp, pc.ep) * per;
  }
  return bytes;
}

// `rows` is the GEMM's m (tokens; tokens per expert for grouped expert GEMMs).
Op gemm(std::string_view name, double flops, double weight_bytes, double act_bytes, bool fp8, int kernels,
        double rows) {
  Op op{.name = name, .cls = OpClass::gemm, .flops = flops, .bytes = weight_bytes + act_bytes,
        .kernels = kernels, .fp8_compute = fp8, .shape = {}};
  op.shape.m = rows;
  op.shape.nk = rows > 0 ? flops / (2 * rows) : 0;
  return op;
}

// Attention over `b` with `per_pair_flops` FLOPs per (query, key) pair for prefill and decode.
Op attention(const BatchShape& b, double prefill_flops_per_pair, double decode_flops_per_pair, double bytes,
             double kv_tok, double heads_rank) {
  Op op{.name = "attention", .cls = OpClass::attention,
        .flops = b.prefill_pairs * prefill_flops_per_pair + b.decode_pairs * decode_flops_per_pair, .bytes = bytes, .shape = {}};
  const double prefill_seqs = b.seqs - b.decode_seqs;
  op.shape.prefill_flops = b.prefill_pairs * prefill_flops_per_pair;
  op.shape.prefill_len = prefill_seqs > 0 ? (b.tokens - b.decode_seqs) / prefill_seqs : 0;
  op.shape.prefill_seqs_heads = prefill_seqs * heads_rank;
  op.shape.decode_flops = b.decode_pairs * decode_flops_per_pair;
  op.shape.decode_bytes = b.decode_pairs * kv_tok;
  op.shape.decode_seqs = b.decode_seqs;
  op.shape.decode_context = b.decode_seqs > 0 ? b.decode_pairs / b.decode_seqs : 0;
  return op;
}
Op elementwise(std::string_view name, double bytes, int kernels = 1) {
  return Op{.name = name, .cls = OpClass::elementwise, .bytes = bytes, .kernels = kernels, .shape = {}};
}
Op collective(std::string_view name, OpClass cls, double bytes, CommGroup group) {
  return Op{.name = name, .cls = cls, .comm_bytes = bytes, .group = group, .kernels = 0, .shape = {}};
}

}  // namespace

std::vector<Op> layer_ops(const ModelConfig& m, int layer, const ParallelConfig& pc, const Precision& prec,
                          bool fp8_tc, const BatchShape& b) {
  const auto ws = layer_weights(m, layer);
  const double T = b.tokens, h = double(m.hidden), t = pc.tp;
  const double a_r = m.num_heads / t;  // heads per rank
  const bool fp8 = fp8_tc && prec.weights == DType::fp8;
  const double kv_tok = kv_bytes_per_token_layer(m, pc.tp, prec.kv);
  std::vector<Op> ops;
  ops.reserve(16);

  // Fused residual-add + RMSNorm: reads x and residual, writes both.
  ops.push_back(elementwise("input_norm", 4 * T * h * kB));

  if (m.is_mla()) {
    const auto& l = m.mla;
    const double qk = double(l.qk_nope_head_dim + l.qk_rope_head_dim), v = double(l.v_head_dim);
    const double lat = double(l.kv_lora_rank + l.qk_rope_head_dim);
    if (l.q_lora_rank > 0) {
      const double r = double(l.q_lora_rank);
      ops.push_back(gemm("q_a_proj", 2 * T * h * r, weight_bytes(ws, {"attn.q_a"}, m, pc, prec), T * (h + r) * kB, fp8, 1, T));
      ops.push_back(gemm("q_b_proj", 2 * T * r * a_r * qk, weight_bytes(ws, {"attn.q_b"}, m, pc, prec),
                         T * (r + a_r * qk) * kB, fp8, 1, T));
    } else {
      ops.push_back(gemm("q_proj", 2 * T * h * a_r * qk, weight_bytes(ws, {"attn.q"}, m, pc, prec),
                         T * (h + a_r * qk) * kB, fp8, 1, T));
    }
    ops.push_back(gemm("kv_a_proj", 2 * T * h * lat, weight_bytes(ws, {"attn.kv_a"}, m, pc, prec),
                       T * (h + lat) * kB, fp8, 1, T));
    const double kvb_w = weight_bytes(ws, {"attn.kv_b"}, m, pc, prec);
    ops.push_back(gemm("kv_b_proj", 2 * T * double(l.kv_lora_rank) * a_r * (double(l.qk_nope_head_dim) + v), kvb_w,
                       T * (double(l.kv_lora_rank) + a_r * (double(l.qk_nope_head_dim) + v)) * kB, fp8, 1, T));
    ops.push_back(elementwise("rotary_kv_write", T * (a_r * qk * 2 * kB + kv_tok), 2));
    // Prefill attends in the expanded form (q.k over qk dims, p.v over v dims); decode in
    // the absorbed form over the latent (q.k over kv_lora + rope, p.v over kv_lora).
    ops.push_back(attention(b, 2 * a_r * (qk + v), 2 * a_r * (lat + double(l.kv_lora_rank)),
                            b.kv_read * kv_tok + 2 * T * a_r * qk * kB, kv_tok, a_r));
    ops.push_back(gemm("o_proj", 2 * T * a_r * v * h, weight_bytes(ws, {"attn.o"}, m, pc, prec),
                       T * (a_r * v + h) * kB, fp8, 1, T));
  } else {
    const double d = double(m.head_dim);
    const double kv_r = double((m.num_kv_heads + pc.tp - 1) / pc.tp);
    const double qkv_out = (a_r + 2 * kv_r) * d;
    ops.push_back(gemm("qkv_proj", 2 * T * h * qkv_out,
                       weight_bytes(ws, {"attn.q", "attn.kv", "attn.q_bias", "attn.kv_bias"}, m, pc, prec),
                       T * (h + qkv_out) * kB, fp8, 1, T));
    ops.push_back(elementwise("rotary_kv_write", T * (a_r + kv_r) * d * 2 * kB + T * kv_tok, 2));
    ops.push_back(attention(b, 4 * a_r * d, 4 * a_r * d, b.kv_read * kv_tok + 2 * T * a_r * d * kB, kv_tok, a_r));
    ops.push_back(gemm("o_proj", 2 * T * a_r * d * h, weight_bytes(ws, {"attn.o"}, m, pc, prec),
                       T * (a_r * d + h) * kB, fp8, 1, T));
  }
  if (pc.tp > 1) ops.push_back(collective("attn_allreduce", OpClass::allreduce, T * h * kB, CommGroup::tp));
  ops.push_back(elementwise("post_attn_norm", 4 * T * h * kB));

  if (m.layer_is_moe(layer)) {
    const auto& e = m.moe;
    const double E = e.num_experts, k = e.experts_per_token, fe = double(e.expert_ffn);
    ops.push_back(gemm("router", 2 * T * h * E, weight_bytes(ws, {"moe.router", "moe.router_bias"}, m, pc, prec),
                       T * (h + E) * kB, false, 1, T));
    // Tokens routed into this rank's expert group: an EP group wider than TP gathers the
    // tokens of ep/t replicas. The expert weights actually read are those of the experts that
    // receive at least one token: 1 - (1 - k/E)^tokens of them, in expectation.
    const double group_tokens = T * std::max(1.0, double(pc.ep) / t);
    const double touched = 1.0 - std::pow(1.0 - k / E, group_tokens);
    const double wt = weight_bytes(ws, {"moe.experts"}, m, pc, prec) * touched;
    // Token-expert pairs per rank: the group's pairs spread over max(t, ep) shards. Both EP
    // wider and narrower than TP give T*k/t per rank; only the traffic differs.
    const double pairs = group_tokens * k / std::max(t, double(pc.ep));
    if (pc.ep > 1) {
      ops.push_back(collective("moe_dispatch", OpClass::alltoall, group_tokens / pc.ep * k * h * kB, CommGroup::ep));
    }
    // Grouped GEMM: each touched local expert multiplies its own tokens.
    const double local_experts = std::max(1.0, E / double(std::max(pc.ep, 1)) * touched);
    ops.push_back(gemm("experts", 6 * pairs * h * fe, wt, pairs * (2 * h + 3 * fe) * kB, fp8, 3, pairs / local_experts));
    if (e.num_shared_experts > 0) {
      const double fs = fe * e.num_shared_experts;
      ops.push_back(gemm("shared_experts", 6 * T * h * fs / t, weight_bytes(ws, {"moe.shared"}, m, pc, prec),
                         T * (2 * h + 3 * fs / t) * kB, fp8, 3, T));
    }
    if (pc.ep > 1) {
      ops.push_back(collective("moe_combine", OpClass::alltoall, group_tokens / pc.ep * k * h * kB, CommGroup::ep));
    }
    if (pc.tp > 1) ops.push_back(collective("moe_allreduce", OpClass::allreduce, T * h * kB, CommGroup::tp));
  } else {
    const double f_r = double(m.ffn) / t;
    ops.push_back(gemm("gate_up_proj", 2 * T * h * 2 * f_r, weight_bytes(ws, {"mlp.gate_up"}, m, pc, prec),
                       T * (h + 2 * f_r) * kB, fp8, 1, T));
    ops.push_back(elementwise("silu_mul", 3 * T * f_r * kB));
    ops.push_back(gemm("down_proj", 2 * T * f_r * h, weight_bytes(ws, {"mlp.down"}, m, pc, prec),
                       T * (f_r + h) * kB, fp8, 1, T));
    if (pc.tp > 1) ops.push_back(collective("mlp_allreduce", OpClass::allreduce, T * h * kB, CommGroup::tp));
  }
  return ops;
}

std::vector<Op> embedding_ops(const ModelConfig& m, const ParallelConfig& pc, const BatchShape& b) {
  const double T = b.tokens, h = double(m.hidden);
  std::vector<Op> ops{elementwise("embedding", 2 * T * h * kB)};
  // Vocab-parallel embedding: each rank fills the rows it owns, an AllReduce completes them.
  if (pc.tp > 1) ops.push_back(collective("embed_allreduce", OpClass::allreduce, T * h * kB, CommGroup::tp));
  return ops;
}

std::vector<Op> head_ops(const ModelConfig& m, const ParallelConfig& pc, const BatchShape& b) {
  const double T = b.tokens, h = double(m.hidden), V = double(m.vocab), t = pc.tp, rows = b.logits_rows;
  std::vector<Op> ops{elementwise("final_norm", 4 * T * h * kB)};
  if (rows <= 0) return ops;
  // The LM head stays bf16; logits are written in fp32 and gathered over the TP group.
  ops.push_back(gemm("lm_head", 2 * rows * h * V / t, V * h * 2.0 / t, rows * (h * kB + V / t * 4), false, 1, rows));
  if (pc.tp > 1) ops.push_back(collective("logits_gather", OpClass::allgather, rows * V * 4, CommGroup::tp));
  ops.push_back(elementwise("sampler", rows * V * 4 * 2));
  return ops;
}

}  // namespace sp
