// The eight claims about TP vs PP, each a checkable sentence judged against a study's numbers.
// A claim is checked per case (a model on a system, or a model), each case holds or not, and the
// verdict follows from the cases alone: pure functions, no text written before the run.
#pragma once

#include <string>
#include <vector>

#include "report/document.h"
#include "report/study.h"

namespace sp::report {

enum class Verdict { holds, holds_only_when, does_not_hold, not_tested };
std::string verdict_name(Verdict v);  // "holds", "holds only when", "does not hold", "not tested"

struct Case {
  std::string name{};   // the case's group, e.g. "llama-3.1-70b on 1 x dgx-h100"
  bool holds = false;
};

struct VerdictText {
  Verdict verdict = Verdict::not_tested;
  std::string text;  // "holds only when: ... (2 of 5 cases)"
};

// Every case holds: holds; none: does not hold; some: holds only when, naming those that hold;
// no case: not tested.
VerdictText verdict_of(const std::vector<Case>& cases);

struct ClaimResult {
  int number = 0;
  std::string claim{};      // as people say it
  std::string sentence{};   // the checkable form, with its thresholds
  Table evidence;         // one row per case; the last column is "holds" (yes/no)
  std::vector<Case> cases{};
  VerdictText verdict{};
  std::string note{};     // what the numbers add (computed), may be empty
};

// Thresholds the sentences use; written once here so the text and the check cannot drift.
inline constexpr double kFarLessBytesRatio = 10;       // claim 3: "far less" = at least 10x fewer bytes
inline constexpr double kPerfectSplitTolerance = 0.02; // claim 4: 1:N within 2%
inline constexpr double kPcieCommFineFraction = 0.10;  // claim 5: PP "fine" = under 10% of time communicating
inline constexpr double kPcieCommBadFraction = 0.25;   // claim 5: TP "needs NVLink" = over 25% over PCIe
inline constexpr double kPpEfficiencyTarget = 0.85;    // claim 6
inline constexpr int kPpMicrobatchesPerStage = 4;      // claim 6
inline constexpr int kLongContextTp = 4;               // claim 8

std::vector<ClaimResult> claims_check(const StudyResult& r);

// The claim 7 cases of one model's rows (exposed for tests with synthetic head counts).
ClaimResult claim_heads(const std::vector<HeadsRow>& rows);

}  // namespace sp::report
