#include "report/claims.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

namespace sp::report {

namespace {

std::string yes(bool b) { return b ? "yes" : "no"; }
std::string f1(double v) { return fmt::format("{:.1f}", v); }
std::string f2(double v) { return fmt::format("{:.2f}", v); }
std::string pct(double v) { return fmt::format("{:.1f}%", 100 * v); }

const SplitResult* find_split(const StudyResult& r, const StudyGroup& g, int tp, int pp) {
  for (const auto& s : r.splits) {
    if (s.group.name() == g.name() && s.tp == tp && s.pp == pp) return &s;
  }
  return nullptr;
}

// The TP-only and PP-only splits of a group when both were simulated.
struct Pair {
  const SplitResult* tp = nullptr;
  const SplitResult* pp = nullptr;
};

std::vector<std::pair<StudyGroup, Pair>> pairs(const StudyResult& r) {
  std::vector<std::pair<StudyGroup, Pair>> out;
  for (const auto& g : r.groups) {
    const int gpus = [&] {
      int n = 0;
      for (const auto& s : r.splits) {
        if (s.group.name() == g.name()) n = std::max(n, s.gpus());
      }
      return n;
    }();
    if (gpus < 2) continue;  // one GPU has nothing to split
    const SplitResult* t = find_split(r, g, gpus, 1);
    const SplitResult* p = find_split(r, g, 1, gpus);
    if (t && p && t->fits && p->fits) out.push_back({g, {t, p}});
  }
  return out;
}

void add_case(ClaimResult& c, const std::string& name, bool holds, std::vector<std::string> cells) {
  cells.insert(cells.begin(), name);
  cells.push_back(yes(holds));
  c.evidence.rows.push_back(std::move(cells));
  c.cases.push_back({name, holds});
}

ClaimResult claim_latency(const StudyResult& r) {
  ClaimResult c{.number = 1, .claim = "TP gives lower single-request latency than PP.",
                .sentence = "For one request alone (batch 1), the TP-only split has a lower end-to-end latency than "
                            "the PP-only split over the same GPUs.",
                .evidence = {.id = "claim-1", .header = {"case", "TP-only", "TP-only e2e ms", "PP-only", "PP-only e2e ms", "holds"}}};
  for (const auto& [g, p] : pairs(r)) {
    add_case(c, g.name(), p.tp->b1_e2e_ms < p.pp->b1_e2e_ms,
             {p.tp->label(), f1(p.tp->b1_e2e_ms), p.pp->label(), f1(p.pp->b1_e2e_ms)});
  }
  return c;
}

ClaimResult claim_throughput(const StudyResult& r) {
  ClaimResult c{.number = 2, .claim = "TP gives higher throughput at large batch than PP.",
                .sentence = fmt::format("With {} requests at once, the TP-only split produces more output tokens/s "
                                        "than the PP-only split over the same GPUs.", r.spec.saturation_requests),
                .evidence = {.id = "claim-2", .header = {"case", "TP-only", "TP-only tok/s", "PP-only", "PP-only tok/s", "holds"}}};
  for (const auto& [g, p] : pairs(r)) {
    add_case(c, g.name(), p.tp->sat_tok_s > p.pp->sat_tok_s,
             {p.tp->label(), f1(p.tp->sat_tok_s), p.pp->label(), f1(p.pp->sat_tok_s)});
  }
  return c;
}

ClaimResult claim_bandwidth(const StudyResult& r) {
  ClaimResult c{.number = 3, .claim = "PP needs far less inter-GPU bandwidth than TP.",
                .sentence = fmt::format("At saturation, the TP-only split moves at least {:g}x more bytes between GPUs "
                                        "per output token than the PP-only split.", kFarLessBytesRatio),
                .evidence = {.id = "claim-3",
                             .header = {"case", "TP-only MiB/token", "PP-only MiB/token", "TP/PP", "holds"}}};
  for (const auto& [g, p] : pairs(r)) {
    const double ratio = p.pp->bytes_per_token > 0 ? p.tp->bytes_per_token / p.pp->bytes_per_token : INFINITY;
    add_case(c, g.name(), ratio >= kFarLessBytesRatio,
             {f2(p.tp->bytes_per_token / (1 << 20)), f2(p.pp->bytes_per_token / (1 << 20)), f1(ratio)});
  }
  return c;
}

ClaimResult claim_memory(const StudyResult& r) {
  ClaimResult c{.number = 4, .claim = "TP splits memory perfectly 1:N while PP carries activation overhead.",
                .sentence = fmt::format("The TP-only split's weights per GPU times N are the model's weights within "
                                        "{:g}%, and the PP-only split's fullest GPU holds more activation workspace "
                                        "than the TP-only split's.", 100 * kPerfectSplitTolerance),
                .evidence = {.id = "claim-4",
                             .header = {"case", "TP-only weights x N / model", "PP-only fullest weights x N / model",
                                        "TP-only activations GiB", "PP-only activations GiB", "holds"}}};
  for (const auto& [g, p] : pairs(r)) {
    double model = 0;
    for (const auto& [name, gib] : r.model_weights_gib) {
      if (name == g.model) model = gib;
    }
    if (model <= 0) continue;
    const double tp_ratio = p.tp->weights_gib * p.tp->gpus() / model;
    const double pp_ratio = p.pp->weights_gib * p.pp->gpus() / model;
    add_case(c, g.name(),
             std::abs(tp_ratio - 1) <= kPerfectSplitTolerance && p.pp->activations_gib > p.tp->activations_gib,
             {fmt::format("{:.3f}", tp_ratio), fmt::format("{:.3f}", pp_ratio), f2(p.tp->activations_gib),
              f2(p.pp->activations_gib)});
  }
  return c;
}

ClaimResult claim_pcie(const StudyResult& r) {
  ClaimResult c{.number = 5, .claim = "PP is fine over PCIe while TP needs NVLink.",
                .sentence = fmt::format("On a PCIe system at saturation, the PP-only split spends under {:g}% of its "
                                        "busy time communicating and the TP-only split over {:g}%.",
                                        100 * kPcieCommFineFraction, 100 * kPcieCommBadFraction),
                .evidence = {.id = "claim-5",
                             .header = {"case", "TP-only comm share", "PP-only comm share", "TP-only tok/s",
                                        "PP-only tok/s", "holds"}}};
  std::vector<std::string> contrast;
  for (const auto& [g, p] : pairs(r)) {
    if (!g.pcie) {
      contrast.push_back(fmt::format("{}: TP-only {}, PP-only {}", g.name(), pct(p.tp->comm_fraction), pct(p.pp->comm_fraction)));
      continue;
    }
    add_case(c, g.name(), p.pp->comm_fraction < kPcieCommFineFraction && p.tp->comm_fraction > kPcieCommBadFraction,
             {pct(p.tp->comm_fraction), pct(p.pp->comm_fraction), f1(p.tp->sat_tok_s), f1(p.pp->sat_tok_s)});
  }
  if (!contrast.empty()) {
    c.note = "For contrast, communication shares over NVLink/NVSwitch (and the network between nodes): ";
    for (size_t i = 0; i < contrast.size(); ++i) c.note += (i ? "; " : "") + contrast[i];
    c.note += ".";
  }
  return c;
}

ClaimResult claim_microbatches(const StudyResult& r) {
  ClaimResult c{.number = 6, .claim = "Four or more microbatches per stage bring PP efficiency above 85%.",
                .sentence = fmt::format("For the PP-only split, every simulated run with {} or more batches in flight "
                                        "per stage has a bubble under {:g}% (efficiency above {:g}%).",
                                        kPpMicrobatchesPerStage, 100 * (1 - kPpEfficiencyTarget), 100 * kPpEfficiencyTarget),
                .evidence = {.id = "claim-6", .header = {"case", "stages"}}};
  std::vector<int> ks = r.spec.inflight_per_stage;
  std::sort(ks.begin(), ks.end());
  for (int k : ks) c.evidence.header.push_back(fmt::format("efficiency, {} per stage", k));
  c.evidence.header.push_back("holds");
  const bool tested = std::any_of(ks.begin(), ks.end(), [](int k) { return k >= kPpMicrobatchesPerStage; });
  for (const auto& g : r.groups) {
    std::vector<std::string> cells;
    bool any = false, ok = true, all_ran = true;
    int pp = 0;
    for (int k : ks) {
      const BubblePoint* b = nullptr;
      for (const auto& x : r.bubbles) {
        if (x.group.name() == g.name() && x.inflight_per_stage == k) b = &x;
      }
      if (!b || b->bubble < 0) {
        all_ran = false;
        cells.push_back("does not fit");
        continue;
      }
      pp = b->pp;
      cells.push_back(pct(1 - b->bubble));
      if (k >= kPpMicrobatchesPerStage) {
        any = true;
        ok = ok && 1 - b->bubble > kPpEfficiencyTarget;
      }
    }
    if (!tested || !any || !all_ran || pp < 2) continue;
    cells.insert(cells.begin(), std::to_string(pp));
    add_case(c, g.name(), ok, cells);
  }
  // How much the batches in flight move the bubble at all, over every case.
  double spread = 0;
  for (const auto& g : r.groups) {
    double lo = 1, hi = 0;
    for (const auto& b : r.bubbles) {
      if (b.group.name() == g.name() && b.bubble >= 0) {
        lo = std::min(lo, b.bubble);
        hi = std::max(hi, b.bubble);
      }
    }
    if (hi >= lo) spread = std::max(spread, hi - lo);
  }
  if (!c.cases.empty()) {
    c.note = fmt::format("From {} to {} batches in flight per stage the bubble moves by at most {:.1f} points in any "
                         "case, while it grows with the number of stages (table above). That fits a bubble made of the "
                         "imbalance between stages (the last one also holds the LM head) and the drain at the end, "
                         "not of filling the pipeline, which is what more microbatches would shrink.",
                         ks.front(), ks.back(), 100 * spread);
  }
  return c;
}

ClaimResult claim_long_context(const StudyResult& r) {
  ClaimResult c{.number = 8, .claim = "For long contexts, TP >= 4 is needed to split the KV cache.",
                .sentence = fmt::format("For one request of {} tokens, every split that holds it has TP >= {}.",
                                        r.spec.long_context, kLongContextTp),
                .evidence = {.id = "claim-8", .header = {"case", "splits that hold it (KV tokens)", "smallest TP that fits", "holds"}}};
  for (const auto& g : r.groups) {
    std::string fit;
    int smallest = 0;
    for (const auto& x : r.long_context) {
      if (x.group.name() != g.name() || !x.fits) continue;
      fit += fmt::format("{}tp{} pp{} ({})", fit.empty() ? "" : ", ", x.tp, x.pp, x.kv_tokens);
      if (smallest == 0 || x.tp < smallest) smallest = x.tp;
    }
    if (smallest == 0) continue;  // nothing holds it: the case says nothing about TP
    add_case(c, g.name(), smallest >= kLongContextTp, {fit, std::to_string(smallest)});
  }
  return c;
}

}  // namespace

std::string verdict_name(Verdict v) {
  switch (v) {
    case Verdict::holds: return "holds";
    case Verdict::holds_only_when: return "holds only when";
    case Verdict::does_not_hold: return "does not hold";
    case Verdict::not_tested: return "not tested";
  }
  return "?";
}

VerdictText verdict_of(const std::vector<Case>& cases) {
  if (cases.empty()) return {Verdict::not_tested, "not tested: no case in this study could test it"};
  std::vector<std::string> held;
  for (const auto& c : cases) {
    if (c.holds) held.push_back(c.name);
  }
  if (held.size() == cases.size()) {
    return {Verdict::holds, cases.size() == 1 ? "holds in the one case tested" : fmt::format("holds in all {} cases", cases.size())};
  }
  if (held.empty()) {
    return {Verdict::does_not_hold,
            cases.size() == 1 ? "does not hold in the one case tested" : fmt::format("does not hold in any of {} cases", cases.size())};
  }
  std::string t = "holds only when: ";
  for (size_t i = 0; i < held.size(); ++i) t += (i ? "; " : "") + held[i];
  return {Verdict::holds_only_when, t + fmt::format(" ({} of {} cases)", held.size(), cases.size())};
}

ClaimResult claim_heads(const std::vector<HeadsRow>& rows) {
  ClaimResult c{.number = 7, .claim = "TP degree must divide the attention heads (check against the KV-head rule too).",
                .sentence = "The TP degrees the planner accepts are exactly those that divide the attention heads: "
                            "dividing the heads is necessary and, with the KV-head rule (kv_heads % tp == 0 or "
                            "tp % kv_heads == 0), nothing more is needed.",
                .evidence = {.id = "claim-7",
                             .header = {"case", "heads / KV heads", "degrees dividing the heads", "accepted degrees",
                                        "dividing the heads but not the KV-head rule", "holds"}}};
  std::map<std::string, std::vector<const HeadsRow*>> by_model;
  for (const auto& h : rows) by_model[h.model].push_back(&h);
  std::vector<std::string> replicated;
  for (const auto& [model, hs] : by_model) {
    std::string divides, allowed, breaks;
    bool same = true;
    double kv_at_k = 0;
    for (const HeadsRow* h : hs) {
      auto add = [&](std::string& s) { s.append(s.empty() ? "" : " ").append(std::to_string(h->tp)); };
      if (h->divides_heads) add(divides);
      if (h->allowed) add(allowed);
      if (h->divides_heads && !h->kv_rule) add(breaks);
      same = same && h->divides_heads == h->allowed;
      if (h->allowed && h->tp == h->kv_heads) kv_at_k = h->kv_bytes_per_token_per_gpu;
    }
    // Past kv_heads each GPU keeps a whole KV head: the KV cache stops splitting.
    for (const HeadsRow* h : hs) {
      if (h->allowed && h->tp > h->kv_heads && kv_at_k > 0 && h->kv_bytes_per_token_per_gpu >= kv_at_k) {
        replicated.push_back(fmt::format("{} tp{}: {:.0f} KiB per token per GPU, as at tp{}", model, h->tp,
                                         h->kv_bytes_per_token_per_gpu / 1024, h->kv_heads));
      }
    }
    add_case(c, model, same,
             {fmt::format("{} / {}", hs.front()->heads, hs.front()->kv_heads), divides, allowed, breaks.empty() ? "none" : breaks});
  }
  if (!replicated.empty()) {
    c.note = "KV-head rule in the numbers: beyond the KV heads, TP replicates them instead of splitting them: ";
    for (size_t i = 0; i < replicated.size(); ++i) c.note += (i ? "; " : "") + replicated[i];
    c.note += ".";
  }
  c.verdict = verdict_of(c.cases);
  return c;
}

std::vector<ClaimResult> claims_check(const StudyResult& r) {
  std::vector<ClaimResult> out = {claim_latency(r),      claim_throughput(r), claim_bandwidth(r), claim_memory(r),
                                  claim_pcie(r),         claim_microbatches(r), claim_heads(r.heads),
                                  claim_long_context(r)};
  for (auto& c : out) c.verdict = verdict_of(c.cases);
  return out;
}

}  // namespace sp::report
