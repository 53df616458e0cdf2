#include "report/study_report.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "report/plots.h"

namespace sp::report {

namespace {

std::string f1(double v) { return fmt::format("{:.1f}", v); }
std::string pct(double v) { return fmt::format("{:.1f}%", 100 * v); }

std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c));
    if (keep) out += char(std::tolower(static_cast<unsigned char>(c)));
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

void mark_front(std::vector<ConfigPoint>& pts) {
  for (auto& p : pts) {
    p.on_front = true;
    for (const auto& q : pts) {
      const bool dominates = q.latency_ms <= p.latency_ms && q.throughput >= p.throughput &&
                             (q.latency_ms < p.latency_ms || q.throughput > p.throughput);
      if (dominates) p.on_front = false;
    }
  }
}

void group_section(Document& d, const StudyResult& r, const StudyGroup& g) {
  d.heading(g.name());
  const std::string id = slug(g.name());
  Table t{.id = id,
          .header = {"split", "TP crosses nodes", "batch-1 e2e ms", "batch-1 TPOT ms", "tok/s at saturation",
                     "tok/s per GPU", "MiB between GPUs per output token", "GiB per GPU (w+act+ovh)", "KV GiB per GPU",
                     "PP bubble", "comm share"}};
  std::vector<ConfigPoint> pts;
  std::vector<MemoryStack> mem;
  std::vector<TimeShares> time;
  for (const auto& s : r.splits) {
    if (s.group.name() != g.name()) continue;
    if (!s.fits) {
      t.rows.push_back({s.label(), s.cross_node_tp ? "yes" : "no", "does not fit", "", "", "", "", "", "", "", ""});
      continue;
    }
    t.rows.push_back({s.label(), s.cross_node_tp ? "yes" : "no", f1(s.b1_e2e_ms), f1(s.b1_tpot_ms), f1(s.sat_tok_s),
                      f1(s.sat_tok_s / s.gpus()), f1(s.bytes_per_token / (1 << 20)),
                      f1(s.weights_gib + s.activations_gib + s.overhead_gib), f1(s.kv_gib), pct(s.bubble),
                      pct(s.comm_fraction)});
    pts.push_back({.label = s.label(), .latency_ms = s.b1_e2e_ms, .throughput = s.sat_tok_s / s.gpus()});
    mem.push_back({.label = s.label(), .weights = s.weights_gib, .kv_cache = s.kv_gib, .activations = s.activations_gib,
                   .overhead = s.overhead_gib, .capacity = s.capacity_gib});
    time.push_back(time_shares(s.label(), s.compute_s, s.memory_s, s.comm_s, s.overhead_s, s.bubble));
  }
  d.table(t);
  std::string missing;
  for (const auto& s : r.splits) {
    if (s.group.name() == g.name() && !s.fits) missing += fmt::format("{}: {}. ", s.label(), s.why_not);
  }
  if (!missing.empty()) d.text("Not simulated: " + missing);
  if (pts.empty()) return;
  mark_front(pts);
  d.plot(throughput_latency_plot(id + "-tradeoff", g.name() + ": throughput at saturation vs single-request latency",
                                 "batch-1 end-to-end latency (ms)", "output tokens/s per GPU at saturation", pts));
  d.plot(memory_plot(id + "-memory", g.name() + ": memory on the fullest GPU", mem));
  d.plot(time_plot(id + "-time", g.name() + ": time per iteration at saturation", time));
}

// Across nodes: the split with TP inside a node and PP across the nodes, against TP over every GPU
// (whose AllReduces then cross the network), in each case with more than one node.
void cross_node_section(Document& d, const StudyResult& r) {
  Table t{.id = "cross-node",
          .header = {"case", "TP inside a node", "e2e ms", "tok/s", "comm share", "TP across nodes", "e2e ms", "tok/s",
                     "comm share"}};
  for (const auto& g : r.groups) {
    if (g.nodes < 2) continue;
    const SplitResult *inside = nullptr, *across = nullptr;
    int gpus = 0;
    for (const auto& s : r.splits) {
      if (s.group.name() == g.name()) gpus = std::max(gpus, s.gpus());
    }
    for (const auto& s : r.splits) {
      if (s.group.name() != g.name() || !s.fits) continue;
      if (s.pp == g.nodes && !s.cross_node_tp) inside = &s;
      if (s.pp == 1 && s.tp == gpus) across = &s;
    }
    if (!inside || !across) continue;
    t.rows.push_back({g.name(), inside->label(), f1(inside->b1_e2e_ms), f1(inside->sat_tok_s), pct(inside->comm_fraction),
                      across->label(), f1(across->b1_e2e_ms), f1(across->sat_tok_s), pct(across->comm_fraction)});
  }
  if (t.rows.empty()) return;
  d.heading("Across nodes");
  d.text("Each multi-node deployment with TP inside the node and PP across nodes, against TP-only over every GPU "
         "(its AllReduces cross the network): batch-1 end-to-end latency, throughput at saturation and the share "
         "of busy time spent communicating.");
  d.table(t);
}

}  // namespace

Document study_report(const StudyResult& r, const std::vector<ClaimResult>& claims) {
  const StudySpec& s = r.spec;
  Document d;
  d.title = "TP vs PP, measured by the simulator";
  std::string models, systems;
  for (const auto& m : s.models) models += (models.empty() ? "" : ", ") + m;
  for (const auto& sys : s.systems) {
    std::string nodes;
    for (int n : sys.nodes) nodes += (nodes.empty() ? "" : ", ") + std::to_string(n);
    const bool one = sys.nodes.size() == 1 && sys.nodes.front() == 1;
    systems += fmt::format("{}{} ({} node{})", systems.empty() ? "" : "; ", sys.hardware, nodes, one ? "" : "s");
  }
  d.text(fmt::format("Models: {}. Systems: {}. Weights and KV {}; prompts of {} tokens, {} generated tokens. Every "
                     "split tp x pp of each deployment's GPUs (TP-only, PP-only and the hybrids; cross-node TP "
                     "allowed so that its cost shows) is simulated with vLLM's overheads, max_num_seqs {} and "
                     "max_num_batched_tokens {}: once with a single request (batch 1) and once with {} requests "
                     "arriving at once (saturation, one batch in flight per stage). Generated by `shardplan report "
                     "--study` from the study '{}' (`make reports` regenerates the committed one); the verdicts "
                     "below are computed from these numbers by report/claims.cpp.",
                     models, systems, s.dtype, s.input_len, s.output_len, s.max_num_seqs, s.max_num_batched_tokens,
                     s.saturation_requests, s.name));
  d.heading("Verdicts");
  Table v{.id = "verdicts", .header = {"#", "claim", "verdict", "cases holding"}};
  for (const auto& c : claims) {
    int held = 0;
    for (const auto& x : c.cases) held += x.holds;
    v.rows.push_back({std::to_string(c.number), c.claim, verdict_name(c.verdict.verdict),
                      fmt::format("{} of {}", held, c.cases.size())});
  }
  d.table(v);

  d.heading("Deployments");
  d.text("Per deployment: single-request latency, throughput at large batch, bytes moved between GPUs per output "
         "token, memory on the fullest GPU, the simulated PP bubble and the share of busy time in communication.");
  for (const auto& g : r.groups) group_section(d, r, g);

  cross_node_section(d, r);

  d.heading("PP bubble vs batches in flight");
  Table bt{.id = "bubble", .header = {"case", "stages"}};
  std::vector<int> ks = s.inflight_per_stage;
  for (int k : ks) bt.header.push_back(fmt::format("bubble, {} per stage", k));
  Plot bp{.id = "bubble", .title = "PP-only: pipeline efficiency (1 - bubble) vs batches in flight per stage",
          .x_label = "batches in flight per stage", .y_label = "efficiency"};
  for (const auto& g : r.groups) {
    std::vector<std::string> row{g.name(), ""};
    Series se{.name = g.name(), .lines = true};
    for (int k : ks) {
      std::string cell = "does not fit";
      for (const auto& b : r.bubbles) {
        if (b.group.name() != g.name() || b.inflight_per_stage != k) continue;
        row[1] = std::to_string(b.pp);
        if (b.bubble >= 0) {
          cell = pct(b.bubble);
          se.x.push_back(k);
          se.y.push_back(1 - b.bubble);
        }
      }
      row.push_back(cell);
    }
    bt.rows.push_back(row);
    if (!se.x.empty()) bp.series.push_back(se);
  }
  d.table(bt);
  if (!bp.series.empty()) d.plot(bp);

  d.heading("Claims");
  for (const auto& c : claims) {
    d.heading(fmt::format("Claim {}: {}", c.number, c.claim), 3);
    d.text("Checked as: " + c.sentence);
    if (!c.evidence.rows.empty()) d.table(c.evidence);
    if (!c.note.empty()) d.text(c.note);
    d.text(fmt::format("Verdict: {} ({}).", verdict_name(c.verdict.verdict), c.verdict.text));
  }
  return d;
}

}  // namespace sp::report
