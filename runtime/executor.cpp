#include "runtime/executor.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "sim/common/error.h"

namespace sp {

namespace {

// Llama's constants; the HF configs carry them but ModelConfig does not read them, and the
// runtime's synthetic weights make any fixed value as good as the config's.
constexpr float kRmsEps = 1e-5f;
constexpr float kRopeTheta = 10000.0f;

template <class T>
std::span<const std::byte> bytes_of(const std::vector<T>& v, size_t n) {
  return std::as_bytes(std::span<const T>(v.data(), n));
}
template <class T>
std::span<std::byte> bytes_of(std::vector<T>& v, size_t n) {
  return std::as_writable_bytes(std::span<T>(v.data(), n));
}

}  // namespace

void run_shape_validate(const RunShape& s) {
  if (s.batch < 1 || s.prompt_len < 1 || s.decode_steps < 0 || s.microbatches < 1) {
    throw InputError(fmt::format("run shape: batch {} and prompt length {} must be >= 1, decode steps {} >= 0, "
                                 "microbatches {} >= 1",
                                 s.batch, s.prompt_len, s.decode_steps, s.microbatches));
  }
  if (s.batch % s.microbatches != 0) {
    throw InputError(fmt::format("run shape: {} microbatches do not divide a batch of {} sequences; pick a "
                                 "divisor of the batch",
                                 s.microbatches, s.batch));
  }
}

BatchShape run_prefill_batch(const RunShape& s) {
  return batch_prefill(double(s.batch / s.microbatches), double(s.prompt_len));
}
BatchShape run_decode_batch(const RunShape& s, int step) {
  return batch_decode(double(s.batch / s.microbatches), double(s.prompt_len + step));
}

Executor::Executor(const CostModel& cm, RankPosition pos, uint64_t seed, DeviceBackend& dev, CommBackend& comm)
    : cm_(cm), pos_(pos), seed_(seed), dev_(dev), comm_(comm) {
  const auto& pc = cm.parallel();
  SP_ASSERT(comm.tp_size() == pc.tp, "communicator's TP group size differs from the plan's tp");
  rs_ = rank_shape(cm.model(), pc.tp, pos.tp_rank);
  first_layer_ = stage_first_layers(cm.model().num_layers, pc.pp)[size_t(pos.stage)];
  const int n = cm.stage_layer_count(pos.stage);
  w_ = weights_materialise(cm.model(), rs_, first_layer_, n, pos.stage == 0, last_stage(), seed);
}

void Executor::start(const RunShape& shape) {
  run_shape_validate(shape);
  shape_ = shape;
  max_ctx_ = shape.prompt_len + shape.decode_steps;
  const size_t kvw = size_t(rs_.kv_heads * rs_.d);
  const size_t per_layer = size_t(shape.batch) * size_t(max_ctx_) * kvw;
  k_cache_.assign(w_.layers.size(), std::vector<float>(per_layer, 0.0f));
  v_cache_.assign(w_.layers.size(), std::vector<float>(per_layer, 0.0f));
  prompt_.resize(size_t(shape.batch) * size_t(shape.prompt_len));
  for (int s = 0; s < shape.batch; ++s)
    for (int i = 0; i < shape.prompt_len; ++i)
      prompt_[size_t(s * shape.prompt_len + i)] = prompt_token(seed_, s, i, cm_.model().vocab);
  tokens_.assign(size_t(shape.batch), 0);
  logits_.assign(last_stage() ? size_t(shape.batch) * size_t(cm_.model().vocab) : 0, 0.0f);
}

void Executor::prefill(Recorder& rec) {
  const BatchShape b = run_prefill_batch(shape_);
  const bool more = shape_.decode_steps > 0;
  for (int mb = 0; mb < shape_.microbatches; ++mb) microbatch(mb, b, 0, shape_.prompt_len, false, more, rec);
}

void Executor::decode_step(int step, Recorder& rec) {
  SP_ASSERT(step >= 0 && step < shape_.decode_steps, "decode step out of range");
  const BatchShape b = run_decode_batch(shape_, step);
  const bool more = step + 1 < shape_.decode_steps;
  for (int mb = 0; mb < shape_.microbatches; ++mb) microbatch(mb, b, shape_.prompt_len + step, 1, true, more, rec);
}

void Executor::microbatch(int mb, const BatchShape& b, int pos0, int q_len, bool tokens_from_last,
                          bool tokens_to_first, Recorder& rec) {
  const auto& m = cm_.model();
  const auto& pc = cm_.parallel();
  const int seqs = shape_.batch / shape_.microbatches, s0 = mb * seqs, T = seqs * q_len;
  const int64_t h = m.hidden, d = rs_.d, V = m.vocab;
  const int qkv_w = int(rs_.qkv_width()), ad = int(rs_.heads * d), kvw = int(rs_.kv_heads * d);
  const int f = int(rs_.ffn);
  const size_t Th = size_t(T) * size_t(h);
  x_.resize(Th);
  residual_.resize(Th);
  positions_.resize(size_t(T));
  for (int i = 0; i < seqs; ++i)
    for (int j = 0; j < q_len; ++j) positions_[size_t(i * q_len + j)] = pos0 + j;
  const int tag_act = 2 * mb, tag_tok = 2 * mb + 1;
  const int last = pc.pp - 1;

  // Inputs of the microbatch: token ids on the first stage, hidden states and residual from
  // the previous stage elsewhere.
  if (pos_.stage == 0) {
    mb_tokens_.resize(size_t(T));
    if (!tokens_from_last) {
      std::copy_n(prompt_.begin() + ptrdiff_t(s0 * q_len), T, mb_tokens_.begin());
    } else if (pc.pp == 1) {
      std::copy_n(tokens_.begin() + s0, seqs, mb_tokens_.begin());
    } else {
      rec.time("token_recv_wait", TimeClass::idle, false, [&] { comm_.wait_message(peer(last), tag_tok); });
      rec.time("token_recv", TimeClass::sendrecv, false, [&] { comm_.recv(bytes_of(mb_tokens_, size_t(T)), peer(last), tag_tok); });
    }
  } else {
    handoff_.resize(2 * Th);
    rec.time("pp_recv_wait", TimeClass::idle, false, [&] { comm_.wait_message(peer(pos_.stage - 1), tag_act); });
    rec.time("pp_recv", TimeClass::sendrecv, false, [&] { comm_.recv(bytes_of(handoff_, 2 * Th), peer(pos_.stage - 1), tag_act); });
    std::copy_n(handoff_.begin(), Th, x_.begin());
    std::copy_n(handoff_.begin() + ptrdiff_t(Th), Th, residual_.begin());
  }

  int layer = -1;  // index into this stage's layers; input_norm starts the next one
  bool logits_full = false;
  const std::vector<Op> ops = cm_.stage_ops(pos_.stage, b);
  for (const Op& op : ops) {
    const std::string_view name = op.name;
    auto run = [&](auto&& fn) { rec.time(name, time_class_of(op.cls), true, fn); };
    if (name == "embedding") {
      run([&] {
        dev_.embedding(std::span<const int32_t>(mb_tokens_.data(), size_t(T)), w_.embedding,
                       int64_t(pos_.tp_rank) * rs_.vocab, rs_.vocab, int(h), x_);
        std::fill(residual_.begin(), residual_.end(), 0.0f);
      });
    } else if (name == "embed_allreduce" || name == "attn_allreduce" || name == "mlp_allreduce") {
      run([&] { comm_.all_reduce_sum(x_); });
    } else if (name == "input_norm") {
      ++layer;
      SP_ASSERT(layer < int(w_.layers.size()), "more layers in the op list than on the stage");
      run([&] { dev_.residual_rmsnorm(x_, residual_, w_.layers[size_t(layer)].input_norm, T, kRmsEps); });
    } else if (name == "qkv_proj") {
      qkv_.resize(size_t(T) * size_t(qkv_w));
      run([&] { dev_.gemm(x_, w_.layers[size_t(layer)].qkv, qkv_, T, int(h), qkv_w); });
    } else if (name == "rotary_kv_write") {
      run([&] {
        dev_.rotary(qkv_, T, qkv_w, 0, rs_.heads, int(d), positions_, kRopeTheta);
        dev_.rotary(qkv_, T, qkv_w, ad, rs_.kv_heads, int(d), positions_, kRopeTheta);
        auto& kc = k_cache_[size_t(layer)];
        auto& vc = v_cache_[size_t(layer)];
        for (int t = 0; t < T; ++t) {
          const size_t seq = size_t(s0 + t / q_len), at = (seq * size_t(max_ctx_) + size_t(positions_[size_t(t)])) * size_t(kvw);
          const float* row = qkv_.data() + size_t(t) * size_t(qkv_w);
          std::copy_n(row + ad, kvw, kc.begin() + ptrdiff_t(at));
          std::copy_n(row + ad + kvw, kvw, vc.begin() + ptrdiff_t(at));
        }
      });
    } else if (name == "attention") {
      attn_.resize(size_t(T) * size_t(ad));
      const kernels::AttentionHeads heads{.heads = rs_.heads, .kv_heads = rs_.kv_heads, .d = int(d),
                                          .q_head0 = rs_.q_head0, .kv_head0 = rs_.kv_head0,
                                          .group = m.num_heads / m.num_kv_heads};
      run([&] {
        const size_t seq_kv = size_t(max_ctx_) * size_t(kvw);
        for (int i = 0; i < seqs; ++i) {
          const size_t seq = size_t(s0 + i);
          dev_.attention(std::span<const float>(qkv_).subspan(size_t(i * q_len) * size_t(qkv_w), size_t(q_len) * size_t(qkv_w)),
                         qkv_w, q_len, pos0,
                         std::span<const float>(k_cache_[size_t(layer)]).subspan(seq * seq_kv, seq_kv),
                         std::span<const float>(v_cache_[size_t(layer)]).subspan(seq * seq_kv, seq_kv), heads,
                         std::span<float>(attn_).subspan(size_t(i * q_len) * size_t(ad), size_t(q_len) * size_t(ad)));
        }
      });
    } else if (name == "o_proj") {
      run([&] { dev_.gemm(attn_, w_.layers[size_t(layer)].o, x_, T, ad, int(h)); });
    } else if (name == "post_attn_norm") {
      run([&] { dev_.residual_rmsnorm(x_, residual_, w_.layers[size_t(layer)].post_norm, T, kRmsEps); });
    } else if (name == "gate_up_proj") {
      gate_up_.resize(size_t(T) * 2 * size_t(f));
      run([&] { dev_.gemm(x_, w_.layers[size_t(layer)].gate_up, gate_up_, T, int(h), 2 * f); });
    } else if (name == "silu_mul") {
      act_.resize(size_t(T) * size_t(f));
      run([&] { dev_.silu_mul(gate_up_, act_, T, f); });
    } else if (name == "down_proj") {
      run([&] { dev_.gemm(act_, w_.layers[size_t(layer)].down, x_, T, f, int(h)); });
    } else if (name == "final_norm") {
      run([&] { dev_.residual_rmsnorm(x_, residual_, w_.final_norm, T, kRmsEps); });
    } else if (name == "lm_head") {
      // Only the last token of each sequence samples.
      last_rows_.resize(size_t(seqs) * size_t(h));
      logits_local_.resize(size_t(seqs) * size_t(rs_.vocab));
      run([&] {
        for (int i = 0; i < seqs; ++i)
          std::copy_n(x_.begin() + ptrdiff_t(size_t(i * q_len + q_len - 1) * size_t(h)), h,
                      last_rows_.begin() + ptrdiff_t(size_t(i) * size_t(h)));
        dev_.gemm(last_rows_, w_.lm_head, logits_local_, seqs, int(h), int(rs_.vocab));
      });
      if (pc.tp == 1) {
        std::copy(logits_local_.begin(), logits_local_.end(), logits_.begin() + ptrdiff_t(size_t(s0) * size_t(V)));
        logits_full = true;
      }
    } else if (name == "logits_gather") {
      gathered_.resize(size_t(pc.tp) * logits_local_.size());
      run([&] { comm_.all_gather(logits_local_, gathered_); });
      // [t, seqs, V_r] -> rows of [seqs, V]: rank j holds vocabulary columns [j V_r, (j+1) V_r).
      for (int j = 0; j < pc.tp; ++j)
        for (int i = 0; i < seqs; ++i)
          std::copy_n(gathered_.begin() + ptrdiff_t((size_t(j) * size_t(seqs) + size_t(i)) * size_t(rs_.vocab)),
                      rs_.vocab,
                      logits_.begin() + ptrdiff_t(size_t(s0 + i) * size_t(V) + size_t(j) * size_t(rs_.vocab)));
      logits_full = true;
    } else if (name == "sampler") {
      SP_ASSERT(logits_full, "sampler before the logits are complete");
      run([&] {
        dev_.argmax(std::span<const float>(logits_).subspan(size_t(s0) * size_t(V), size_t(seqs) * size_t(V)), seqs,
                    V, std::span<int32_t>(tokens_).subspan(size_t(s0), size_t(seqs)));
      });
    } else {
      throw InputError(fmt::format("runtime: op '{}' of model '{}' is not implemented by the executor (dense "
                                   "Llama-style models only)",
                                   name, m.name));
    }
  }
  SP_ASSERT(layer + 1 == int(w_.layers.size()), "op list did not cover every layer of the stage");

  if (pos_.stage < last) {
    handoff_.resize(2 * Th);
    std::copy(x_.begin(), x_.end(), handoff_.begin());
    std::copy(residual_.begin(), residual_.end(), handoff_.begin() + ptrdiff_t(Th));
    rec.time("pp_send", TimeClass::sendrecv, false, [&] { comm_.send(bytes_of(handoff_, 2 * Th), peer(pos_.stage + 1), tag_act); });
  } else if (pc.pp > 1 && tokens_to_first) {
    rec.time("token_send", TimeClass::sendrecv, false, [&] {
      comm_.send(std::as_bytes(std::span<const int32_t>(tokens_).subspan(size_t(s0), size_t(seqs))), peer(0), tag_tok);
    });
  }
}

}  // namespace sp
