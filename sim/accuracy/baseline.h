// The committed accuracy figures (docs/accuracy-baseline.json, shown in docs/accuracy.md) and
// the regression gate against them: a family's MAPE may not rise more than `tolerance_points`
// above its committed value, and no family may lose records.
#pragma once

#include <string>
#include <vector>

#include "sim/accuracy/harness.h"
#include "sim/common/json_reader.h"

namespace sp {

json accuracy_baseline_json(const AccuracyReport& r);

// One line per regression, empty when the gate passes. Throws InputError on a malformed baseline.
std::vector<std::string> accuracy_regressions(const AccuracyReport& r, const json& baseline, const std::string& origin);

}  // namespace sp
