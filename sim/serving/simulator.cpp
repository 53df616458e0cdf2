#include "sim/serving/simulator.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <set>

#include <fmt/format.h>

#include "sim/common/error.h"
#include "sim/des/engine.h"

namespace sp {

namespace {

constexpr int64_t kBlockTokens = 16;
int64_t blocks_for(int64_t tokens) { return (tokens + kBlockTokens - 1) / kBlockTokens; }
int64_t to_ns(double s) { return std::max<int64_t>(0, std::llround(s * 1e9)); }

enum class EvType : uint8_t { arrival, stage_done, link_done };
struct Ev {
  EvType type = EvType::arrival;
  int32_t replica = 0;
  int32_t index = 0;  // stage or link
  int64_t id = 0;     // request or batch
};

// A request admitted to a replica. kv counts tokens whose K/V are cached: it grows by the
// prefill chunk, then by one per decode step; the sequence is prefilling while kv < prompt.
struct Seq {
  int64_t req = -1;
  int32_t prompt = 0;     // tokens to prefill: the input, plus generated tokens after a preemption
  int32_t kv = 0;
  int32_t generated = 0;  // output tokens emitted so far
  int64_t blocks = 0;     // KV blocks held
  int64_t last_token_ns = 0;
  bool in_flight = false;
};

struct Work {
  int32_t seq = 0;
  int32_t tokens = 0;
  bool prefill = false;
};

struct Batch {
  int32_t replica = 0;
  int32_t group = -1;  // static scheduler: the microbatch it belongs to
  std::vector<Work> work;
  BatchShape shape;
};

// Slots reused through a free list, so the event loop does not allocate per batch or sequence.
template <class T>
class Pool {
 public:
  int32_t acquire() {
    if (free_.empty()) {
      items_.emplace_back();
      return int32_t(items_.size() - 1);
    }
    const int32_t i = free_.back();
    free_.pop_back();
    return i;
  }
  void release(int32_t i) { free_.push_back(i); }
  T& operator[](size_t i) { return items_[i]; }

 private:
  std::vector<T> items_;
  std::vector<int32_t> free_;
};

struct Resource {  // a stage's TP group or a stage-to-stage link: FIFO, one batch at a time
  bool busy = false;
  std::deque<int32_t> queue;
  int64_t busy_ns = 0;

  // True when `b` may start now; otherwise it waits its turn.
  bool admit(int32_t b) {
    if (busy) queue.push_back(b);
    return !busy;
  }
  // Frees the resource; returns the next waiting batch, or -1.
  int32_t release() {
    busy = false;
    if (queue.empty()) return -1;
    const int32_t b = queue.front();
    queue.pop_front();
    return b;
  }
};

struct Replica {
  std::deque<int64_t> waiting;    // request indices, FCFS
  std::deque<int32_t> preempted;  // sequences to recompute, ahead of new requests
  std::vector<int32_t> running;   // admitted sequences, in admission order
  int64_t total_blocks = 0, free_blocks = 0;
  int inflight = 0;
  int64_t outstanding = 0;
  int64_t inflight_since = 0, inflight_ns = 0;
  std::vector<Resource> stages, links;
  std::vector<std::vector<int32_t>> groups;  // static: microbatches of the current batch
  std::vector<char> group_busy;
  size_t next_group = 0;
  bool dirty = false;
};

class Sim {
 public:
  Sim(const IterationCoster& c, const SimConfig& cfg, const std::vector<Request>& reqs)
      : coster_(c), cfg_(cfg), reqs_(reqs), p_(c.num_stages()) {
    SP_ASSERT(cfg.replicas >= 1 && p_ >= 1, "simulate: no replicas or stages");
    max_inflight_ = cfg.scheduler.microbatches > 0 ? cfg.scheduler.microbatches : p_;
    replicas_.resize(size_t(cfg.replicas));
    for (auto& r : replicas_) {
      r.total_blocks = r.free_blocks = cfg.kv_capacity_tokens / kBlockTokens;
      r.stages.resize(size_t(p_));
      r.links.resize(size_t(std::max(0, p_ - 1)));
    }
    if (cfg.router == RouterKind::least_outstanding) {
      for (int32_t r = 0; r < cfg.replicas; ++r) by_load_.emplace(0, r);
    }
    arrival_ns_.resize(reqs.size());
    first_token_ns_.assign(reqs.size(), -1);
    for (size_t i = 0; i < reqs.size(); ++i) arrival_ns_[i] = reqs[i].arrival_ns;
  }

  SimResult run();

 private:
  void release(int64_t req);
  void arrivals_at_now(int64_t first);
  void try_schedule(int32_t r);
  int32_t form_continuous(int32_t r);
  int32_t form_static(int32_t r);
  void enter_stage(int32_t r, int32_t s, int32_t b);
  void start_stage(int32_t r, int32_t s, int32_t b);
  void enter_link(int32_t r, int32_t l, int32_t b);
  void start_link(int32_t r, int32_t l, int32_t b);
  void complete(int32_t r, int32_t b);
  void emit_token(Seq& q, int64_t now);
  bool preempt_one(Replica& rep, int32_t keep_out_of, bool* self);
  void free_seq(Replica& rep, int32_t s);
  int32_t new_batch(int32_t r);
  int32_t new_seq(int64_t req);
  void trace(int32_t r, int32_t track, int64_t start, int64_t dur, const char* name, int64_t batch, int32_t tokens);
  void note_kv(const Replica& rep);
  void mark_dirty(int32_t r);
  void outstanding_add(int32_t r, int64_t delta);

  const IterationCoster& coster_;
  const SimConfig& cfg_;
  const std::vector<Request>& reqs_;
  const int p_;
  int max_inflight_ = 1;
  Engine<Ev> eng_;
  std::vector<Replica> replicas_;
  Pool<Seq> seqs_;
  Pool<Batch> batches_;
  std::vector<int64_t> arrival_ns_, first_token_ns_;
  std::vector<double> ttft_, tpot_, e2e_;
  LogHistogram itl_;
  SimResult res_;
  size_t next_closed_ = 0;
  size_t rr_ = 0;
  int64_t done_ = 0;  // finished + rejected
  uint64_t seq_steps_ = 0;  // sequences summed over the batches formed
  // Replicas to reschedule before the next event, and replicas by (outstanding, index) for the
  // least-outstanding router: both keep the cost per event independent of the replica count.
  std::vector<int32_t> dirty_;
  std::set<std::pair<int64_t, int32_t>> by_load_;
  int64_t out_tokens_ = 0, in_tokens_ = 0, last_finish_ns_ = 0;
  double comm_s_ = 0, busy_s_ = 0;
};

int32_t Sim::new_batch(int32_t r) {
  const int32_t b = batches_.acquire();
  Batch& x = batches_[size_t(b)];
  x.replica = r;
  x.group = -1;
  x.work.clear();
  x.shape = {};
  return b;
}

int32_t Sim::new_seq(int64_t req) {
  const int32_t s = seqs_.acquire();
  seqs_[size_t(s)] = Seq{.req = req, .prompt = reqs_[size_t(req)].input_tokens};
  return s;
}

void Sim::mark_dirty(int32_t r) {
  Replica& rep = replicas_[size_t(r)];
  if (!rep.dirty) dirty_.push_back(r);
  rep.dirty = true;
}

void Sim::outstanding_add(int32_t r, int64_t delta) {
  Replica& rep = replicas_[size_t(r)];
  const bool tracked = cfg_.router == RouterKind::least_outstanding;
  if (tracked) by_load_.erase({rep.outstanding, r});
  rep.outstanding += delta;
  if (tracked) by_load_.emplace(rep.outstanding, r);
}

void Sim::note_kv(const Replica& rep) {
  if (rep.total_blocks > 0) {
    const double used = double(rep.total_blocks - rep.free_blocks) / double(rep.total_blocks);
    res_.metrics.peak_kv_fraction = std::max(res_.metrics.peak_kv_fraction, used);
  }
}

void Sim::trace(int32_t r, int32_t track, int64_t start, int64_t dur, const char* name, int64_t batch, int32_t tokens) {
  if (!cfg_.timeline) return;
  if (int64_t(res_.timeline.size()) >= cfg_.timeline_max_events) {
    res_.timeline_truncated = true;
    return;
  }
  res_.timeline.push_back(TraceSlice{r, track, start, dur, name, batch, tokens});
}

// A request reaches the router: it is rejected when it can never fit, else queued at a replica.
void Sim::release(int64_t req) {
  const Request& q = reqs_[size_t(req)];
  const int64_t total = int64_t(q.input_tokens) + q.output_tokens;
  const int64_t capacity_blocks = replicas_[0].total_blocks;
  std::string why;
  if (cfg_.max_model_len > 0 && total > cfg_.max_model_len) {
    why = "input + output = " + std::to_string(total) + " tokens exceeds max-model-len " +
          std::to_string(cfg_.max_model_len);
  } else if (blocks_for(total) > capacity_blocks) {
    why = "input + output = " + std::to_string(total) + " tokens exceeds the KV cache of a replica (" +
          std::to_string(capacity_blocks * kBlockTokens) + " tokens)";
  }
  if (!why.empty()) {
    res_.rejected.push_back({q.id, std::move(why)});
    ++done_;
    if (cfg_.concurrency > 0 && next_closed_ < reqs_.size()) {
      arrival_ns_[next_closed_] = eng_.now_ns();
      release(int64_t(next_closed_++));
    }
    return;
  }
  int32_t r = 0;
  if (cfg_.router == RouterKind::round_robin) {
    r = int32_t(rr_++ % replicas_.size());
  } else {
    r = by_load_.begin()->second;  // the fewest outstanding; among equals the lowest index
  }
  replicas_[size_t(r)].waiting.push_back(req);
  outstanding_add(r, 1);
  mark_dirty(r);
}

// Requests sharing a timestamp arrive together, so an offline workload forms full batches.
void Sim::arrivals_at_now(int64_t first) {
  size_t i = size_t(first);
  for (; i < reqs_.size() && arrival_ns_[i] == eng_.now_ns(); ++i) release(int64_t(i));
  if (i < reqs_.size()) eng_.schedule_at(arrival_ns_[i], Ev{EvType::arrival, 0, 0, int64_t(i)});
}

void Sim::free_seq(Replica& rep, int32_t s) {
  Seq& q = seqs_[size_t(s)];
  rep.free_blocks += q.blocks;
  q.blocks = 0;
  auto it = std::find(rep.running.begin(), rep.running.end(), s);
  if (it != rep.running.end()) rep.running.erase(it);
}

// vLLM's recompute preemption: the most recently admitted sequence not in flight gives up
// its blocks and will prefill its input and generated tokens again. Older sequences have
// priority: a sequence does not give itself up while a newer one holds blocks in a batch in
// flight (it waits for that batch instead), or two long sequences sharing a cache with
// batches in flight could preempt each other for ever.
bool Sim::preempt_one(Replica& rep, int32_t candidate, bool* self) {
  bool newer_in_flight = false;
  for (auto it = rep.running.rbegin(); it != rep.running.rend(); ++it) {
    Seq& v = seqs_[size_t(*it)];
    if (v.in_flight) {
      newer_in_flight = true;
      continue;
    }
    const int32_t victim = *it;
    if (victim == candidate && newer_in_flight) return false;
    *self = victim == candidate;
    const Request& q = reqs_[size_t(v.req)];
    v.prompt = q.input_tokens + v.generated;
    v.kv = 0;
    free_seq(rep, victim);
    rep.preempted.push_front(victim);
    res_.metrics.preemptions++;
    return true;
  }
  return false;
}

int32_t Sim::form_continuous(int32_t r) {
  Replica& rep = replicas_[size_t(r)];
  const auto& sc = cfg_.scheduler;
  int64_t tokens_left = sc.max_num_batched_tokens, seqs_left = sc.max_num_seqs;
  const int32_t b = new_batch(r);
  auto add = [&](int32_t s, int32_t tokens, bool prefill) {
    Seq& q = seqs_[size_t(s)];
    q.in_flight = true;
    Batch& x = batches_[size_t(b)];
    x.work.push_back({s, tokens, prefill});
    x.shape += prefill ? batch_prefill(1, tokens, q.kv, q.kv + tokens >= q.prompt) : batch_decode(1, q.kv);
    tokens_left -= tokens;
    seqs_left -= 1;
  };

  // 1. Admitted sequences first: decodes and unfinished prefills, in admission order.
  for (size_t i = 0; i < rep.running.size() && tokens_left > 0 && seqs_left > 0; ++i) {
    const int32_t s = rep.running[i];
    if (seqs_[size_t(s)].in_flight) continue;
    Seq& q = seqs_[size_t(s)];
    const bool prefill = q.kv < q.prompt;
    int64_t tokens = prefill ? std::min<int64_t>(q.prompt - q.kv, tokens_left) : 1;
    if (prefill && !sc.chunked_prefill && tokens < q.prompt - q.kv) continue;
    // Out of blocks: preempt the newest sequence not in flight (perhaps this one) until the
    // step fits or there is at least some room for a prefill chunk.
    bool self = false;
    while (blocks_for(int64_t(q.kv) + tokens) - q.blocks > rep.free_blocks && !self &&
           (!prefill || rep.free_blocks == 0)) {
      if (!preempt_one(rep, s, &self)) break;
    }
    if (self) {
      --i;  // running shrank at i (unsigned wrap-around is undone by ++i)
      continue;
    }
    const int64_t room = (q.blocks + rep.free_blocks) * kBlockTokens - q.kv;
    tokens = std::min(tokens, room);
    if (tokens <= 0 || (!prefill && blocks_for(int64_t(q.kv) + 1) - q.blocks > rep.free_blocks)) continue;
    const int64_t extra = std::max<int64_t>(0, blocks_for(int64_t(q.kv) + tokens) - q.blocks);
    rep.free_blocks -= extra;
    q.blocks += extra;
    add(s, int32_t(tokens), prefill);
  }
  // 2. Then preempted sequences and new requests, first come first served: the head of the
  //    line waits for room rather than being overtaken.
  while (tokens_left > 0 && seqs_left > 0 && (!rep.preempted.empty() || !rep.waiting.empty())) {
    const bool resumed = !rep.preempted.empty();
    const int32_t prompt = resumed ? seqs_[size_t(rep.preempted.front())].prompt
                                   : reqs_[size_t(rep.waiting.front())].input_tokens;
    int64_t chunk = std::min<int64_t>(prompt, tokens_left);
    const bool empty_batch = batches_[size_t(b)].work.empty();
    if (!sc.chunked_prefill && chunk < prompt) {
      if (!empty_batch) break;
      chunk = prompt;  // without chunking a long prompt runs alone
    }
    const int64_t need = sc.reserve_full_kv && !resumed
                             ? blocks_for(int64_t(prompt) + reqs_[size_t(rep.waiting.front())].output_tokens)
                             : blocks_for(chunk);
    if (need > rep.free_blocks) break;
    int32_t s;
    if (resumed) {
      s = rep.preempted.front();
      rep.preempted.pop_front();
    } else {
      s = new_seq(rep.waiting.front());
      rep.waiting.pop_front();
    }
    rep.running.push_back(s);
    rep.free_blocks -= need;
    seqs_[size_t(s)].blocks = need;
    add(s, int32_t(chunk), true);
  }
  note_kv(rep);
  if (batches_[size_t(b)].work.empty()) {
    batches_.release(b);
    return -1;
  }
  return b;
}

int32_t Sim::form_static(int32_t r) {
  Replica& rep = replicas_[size_t(r)];
  const auto& sc = cfg_.scheduler;
  if (rep.groups.empty()) {
    // A new fixed batch: as many waiting requests as fit whole (input + output) in the cache,
    // dealt round robin into microbatches.
    const int64_t size = sc.static_batch_size > 0 ? sc.static_batch_size : sc.max_num_seqs;
    std::vector<int32_t> admitted;
    while (!rep.waiting.empty() && int64_t(admitted.size()) < size) {
      const Request& q = reqs_[size_t(rep.waiting.front())];
      const int64_t need = blocks_for(int64_t(q.input_tokens) + q.output_tokens);
      if (need > rep.free_blocks) break;
      const int32_t s = new_seq(rep.waiting.front());
      rep.waiting.pop_front();
      rep.free_blocks -= need;
      seqs_[size_t(s)].blocks = need;
      rep.running.push_back(s);
      admitted.push_back(s);
    }
    note_kv(rep);
    if (admitted.empty()) return -1;
    const size_t m = std::min(size_t(max_inflight_), admitted.size());
    rep.groups.assign(m, {});
    rep.group_busy.assign(m, 0);
    rep.next_group = 0;
    for (size_t i = 0; i < admitted.size(); ++i) rep.groups[i % m].push_back(admitted[i]);
  }
  for (size_t k = 0; k < rep.groups.size(); ++k) {
    const size_t g = (rep.next_group + k) % rep.groups.size();
    if (rep.group_busy[g] || rep.groups[g].empty()) continue;
    const int32_t b = new_batch(r);
    Batch& x = batches_[size_t(b)];
    x.group = int32_t(g);
    for (int32_t s : rep.groups[g]) {
      Seq& q = seqs_[size_t(s)];
      const bool prefill = q.kv < q.prompt;
      const int32_t tokens = prefill ? q.prompt - q.kv : 1;
      q.in_flight = true;
      x.work.push_back({s, tokens, prefill});
      x.shape += prefill ? batch_prefill(1, tokens, q.kv, true) : batch_decode(1, q.kv);
    }
    rep.group_busy[g] = 1;
    rep.next_group = (g + 1) % rep.groups.size();
    return b;
  }
  return -1;
}

void Sim::try_schedule(int32_t r) {
  Replica& rep = replicas_[size_t(r)];
  rep.dirty = false;
  while (!rep.stages[0].busy && rep.stages[0].queue.empty() && rep.inflight < max_inflight_) {
    const int32_t b = cfg_.scheduler.kind == SchedulerKind::continuous ? form_continuous(r) : form_static(r);
    if (b < 0) return;
    if (rep.inflight++ == 0) rep.inflight_since = eng_.now_ns();
    res_.metrics.iterations++;
    seq_steps_ += batches_[size_t(b)].work.size();
    enter_stage(r, 0, b);
  }
}

void Sim::enter_stage(int32_t r, int32_t s, int32_t b) {
  if (replicas_[size_t(r)].stages[size_t(s)].admit(b)) start_stage(r, s, b);
}

void Sim::start_stage(int32_t r, int32_t s, int32_t b) {
  Resource& st = replicas_[size_t(r)].stages[size_t(s)];
  const Batch& x = batches_[size_t(b)];
  TrafficBytes traffic;
  const StageTime t = coster_.stage_time(s, x.shape, &traffic);
  const int64_t dur = to_ns(t.total_s());
  st.busy = true;
  st.busy_ns += dur;
  busy_s_ += double(dur) * 1e-9;
  comm_s_ += t.comm_s;
  auto& m = res_.metrics;
  m.allreduce_bytes += traffic.allreduce * cfg_.tp;
  m.allgather_bytes += traffic.allgather * cfg_.tp;
  m.all2all_bytes += traffic.alltoall * cfg_.tp;
  const int64_t now = eng_.now_ns();
  if (cfg_.timeline) {
    const bool decode_only = x.shape.prefill_pairs == 0;
    const char* name = decode_only ? "decode" : x.shape.decode_pairs == 0 ? "prefill" : "prefill+decode";
    for (int i = 0; i < cfg_.tp; ++i) trace(r, s * cfg_.tp + i, now, dur, name, b, int32_t(x.shape.tokens));
    // Each layer ends with its AllReduces: show them on the TP group's link track.
    const int layers = coster_.stage_layer_count(s);
    if (cfg_.tp > 1 && layers > 0 && t.comm_s > 0) {
      const double layer_ns = double(dur) / layers;
      const int64_t comm_ns = std::max<int64_t>(1, std::llround(t.comm_s * 1e9 / layers));
      for (int l = 0; l < layers; ++l) {
        const int64_t end = now + std::llround(layer_ns * (l + 1));
        trace(r, 2'000'000 + s, std::max(now, end - comm_ns), std::min(comm_ns, end - now), "tp allreduce", b, 0);
      }
    }
  }
  eng_.schedule_at(now + dur, Ev{EvType::stage_done, r, s, b});
}

void Sim::enter_link(int32_t r, int32_t l, int32_t b) {
  if (replicas_[size_t(r)].links[size_t(l)].admit(b)) start_link(r, l, b);
}

void Sim::start_link(int32_t r, int32_t l, int32_t b) {
  Resource& lk = replicas_[size_t(r)].links[size_t(l)];
  const Batch& x = batches_[size_t(b)];
  const int64_t dur = to_ns(coster_.handoff_time_s(l, x.shape));
  lk.busy = true;
  lk.busy_ns += dur;
  res_.metrics.p2p_bytes += coster_.handoff_bytes(x.shape) * cfg_.tp;
  trace(r, 1'000'000 + l, eng_.now_ns(), dur, "pp send", b, int32_t(x.shape.tokens));
  eng_.schedule_at(eng_.now_ns() + dur, Ev{EvType::link_done, r, l, b});
}

void Sim::emit_token(Seq& q, int64_t now) {
  const size_t req = size_t(q.req);
  q.generated++;
  if (first_token_ns_[req] < 0) first_token_ns_[req] = now;
  else itl_.add(double(now - q.last_token_ns) * 1e-9);
  q.last_token_ns = now;
}

void Sim::complete(int32_t r, int32_t b) {
  Replica& rep = replicas_[size_t(r)];
  const int64_t now = eng_.now_ns();
  Batch& x = batches_[size_t(b)];
  for (const Work& w : x.work) {
    Seq& q = seqs_[size_t(w.seq)];
    q.in_flight = false;
    const Request& rq = reqs_[size_t(q.req)];
    q.kv += w.tokens;
    if (!w.prefill || q.kv >= q.prompt) emit_token(q, now);
    if (q.generated < rq.output_tokens) continue;
    // Finished.
    const size_t i = size_t(q.req);
    const double ttft = double(first_token_ns_[i] - arrival_ns_[i]) * 1e-9;
    const double e2e = double(now - arrival_ns_[i]) * 1e-9;
    ttft_.push_back(ttft);
    e2e_.push_back(e2e);
    const double tpot = rq.output_tokens > 1 ? (e2e - ttft) / double(rq.output_tokens - 1) : 0.0;
    if (rq.output_tokens > 1) tpot_.push_back(tpot);
    if (cfg_.slo.met(ttft, tpot, e2e)) res_.metrics.within_slo++;
    out_tokens_ += rq.output_tokens;
    in_tokens_ += rq.input_tokens;
    last_finish_ns_ = now;
    res_.metrics.finished++;
    ++done_;
    free_seq(rep, w.seq);
    if (x.group >= 0) {
      auto& g = rep.groups[size_t(x.group)];
      g.erase(std::find(g.begin(), g.end(), w.seq));
    }
    seqs_.release(w.seq);
    outstanding_add(r, -1);
    if (cfg_.concurrency > 0 && next_closed_ < reqs_.size()) {
      arrival_ns_[next_closed_] = now;
      release(int64_t(next_closed_++));
    }
  }
  if (x.group >= 0) {
    rep.group_busy[size_t(x.group)] = 0;
    bool all_empty = std::all_of(rep.groups.begin(), rep.groups.end(), [](auto& g) { return g.empty(); });
    if (all_empty) rep.groups.clear();
  }
  if (--rep.inflight == 0) rep.inflight_ns += now - rep.inflight_since;
  batches_.release(b);
  mark_dirty(r);
}

SimResult Sim::run() {
  if (!reqs_.empty()) {
    if (cfg_.concurrency > 0) {
      // Closed loop: the first `concurrency` requests start at 0; each completion releases one.
      const size_t n = std::min(size_t(cfg_.concurrency), reqs_.size());
      for (; next_closed_ < n; ++next_closed_) {
        arrival_ns_[next_closed_] = 0;
        release(int64_t(next_closed_));
      }
    } else {
      eng_.schedule_at(arrival_ns_[0], Ev{EvType::arrival, 0, 0, 0});
    }
  }
  const int64_t total = int64_t(reqs_.size());
  Ev ev;
  for (;;) {
    // In index order, as a scan over all replicas would: the order fixes event sequence numbers.
    std::sort(dirty_.begin(), dirty_.end());
    for (int32_t r : dirty_) try_schedule(r);
    dirty_.clear();
    if (!eng_.next(ev)) break;
    switch (ev.type) {
      case EvType::arrival: arrivals_at_now(ev.id); break;
      case EvType::stage_done: {
        const int32_t next = replicas_[size_t(ev.replica)].stages[size_t(ev.index)].release();
        if (next >= 0) start_stage(ev.replica, ev.index, next);
        if (ev.index + 1 < p_) enter_link(ev.replica, ev.index, int32_t(ev.id));
        else complete(ev.replica, int32_t(ev.id));
        if (ev.index == 0) mark_dirty(ev.replica);
        break;
      }
      case EvType::link_done: {
        const int32_t next = replicas_[size_t(ev.replica)].links[size_t(ev.index)].release();
        if (next >= 0) start_link(ev.replica, ev.index, next);
        enter_stage(ev.replica, ev.index + 1, int32_t(ev.id));
        break;
      }
    }
    if (cfg_.progress && (eng_.events_processed() & 0xFFFF) == 0) cfg_.progress(double(done_) / double(total));
    if (cfg_.max_steps > 0 && kStepsPerEvent * eng_.events_processed() + seq_steps_ >= cfg_.max_steps && eng_.pending() > 0) {
      throw InputError(fmt::format("simulation stopped at the --max-steps bound of {} steps with {} of {} requests "
                                   "done, so no result is reported; lower --num-requests or raise --max-steps",
                                   cfg_.max_steps, done_, total));
    }
  }
  SP_ASSERT(done_ == total, "simulate: a request neither finished nor was rejected");

  auto& m = res_.metrics;
  const int64_t first_arrival = reqs_.empty() ? 0 : *std::min_element(arrival_ns_.begin(), arrival_ns_.end());
  m.makespan_s = double(std::max<int64_t>(0, last_finish_ns_ - first_arrival)) * 1e-9;
  if (m.makespan_s > 0) {
    m.throughput_output_tok_s = double(out_tokens_) / m.makespan_s;
    m.throughput_total_tok_s = double(out_tokens_ + in_tokens_) / m.makespan_s;
    m.requests_per_s = double(m.finished) / m.makespan_s;
    m.goodput_rps = double(m.within_slo) / m.makespan_s;
  }
  double busy_ns = 0, idle_inflight_ns = 0, inflight_ns = 0;
  for (const auto& rep : replicas_) {
    for (const auto& st : rep.stages) {
      busy_ns += double(st.busy_ns);
      idle_inflight_ns += double(rep.inflight_ns - st.busy_ns);
    }
    inflight_ns += double(rep.inflight_ns) * p_;
  }
  const double span_ns = double(last_finish_ns_ - first_arrival);
  if (span_ns > 0) m.gpu_busy_fraction = busy_ns / (span_ns * double(replicas_.size() * size_t(p_)));
  if (inflight_ns > 0) m.bubble_fraction = std::max(0.0, idle_inflight_ns / inflight_ns);
  if (busy_s_ > 0) m.comm_time_fraction = comm_s_ / busy_s_;
  m.ttft_s = summarize(ttft_);
  m.tpot_s = summarize(tpot_);
  m.e2e_s = summarize(e2e_);
  m.itl_s = itl_.summary();
  res_.events = eng_.events_processed();
  res_.steps = kStepsPerEvent * res_.events + seq_steps_;
  return std::move(res_);
}

}  // namespace

uint64_t simulate_min_steps(const SimConfig& cfg, int num_stages, const std::vector<Request>& requests) {
  double out_tokens = 0;
  for (const Request& r : requests) {
    const int64_t total = int64_t(r.input_tokens) + r.output_tokens;
    // The rules of Sim::release: such a request is rejected and produces no tokens.
    const bool rejected = (cfg.max_model_len > 0 && total > cfg.max_model_len) ||
                          blocks_for(total) > cfg.kv_capacity_tokens / kBlockTokens;
    if (!rejected) out_tokens += r.output_tokens;
  }
  const auto& sc = cfg.scheduler;
  int64_t per_iteration = sc.max_num_seqs;
  if (sc.kind == SchedulerKind::static_batch) per_iteration = std::max(per_iteration, sc.static_batch_size);
  double batch = double(std::max<int64_t>(1, per_iteration));
  if (cfg.concurrency > 0) batch = std::min(batch, double(cfg.concurrency));
  const double steps = out_tokens + std::ceil(out_tokens / batch) * num_stages * double(kStepsPerEvent);
  return steps >= 1.8e19 ? UINT64_MAX : uint64_t(steps);
}

SimResult simulate(const IterationCoster& coster, const SimConfig& cfg, const std::vector<Request>& requests) {
  if (cfg.max_steps > 0) {
    const uint64_t need = simulate_min_steps(cfg, coster.num_stages(), requests);
    if (need > cfg.max_steps) {
      throw InputError(fmt::format(
          "the workload needs at least {} simulation steps (its output tokens, plus one event per stage per "
          "iteration), more than the --max-steps bound of {}; lower --num-requests or the output lengths, raise "
          "--concurrency, or raise --max-steps",
          need, cfg.max_steps));
    }
  }
  Sim sim(coster, cfg, requests);
  return sim.run();
}

}  // namespace sp
