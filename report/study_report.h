// The TP-vs-PP study as a report: the setup, one section per model and system with the table
// people quote and the three standard plots, the bubble against batches in flight, then one
// section per claim with its evidence table and computed verdict.
#pragma once

#include <vector>

#include "report/claims.h"
#include "report/document.h"
#include "report/study.h"

namespace sp::report {

Document study_report(const StudyResult& r, const std::vector<ClaimResult>& claims);

}  // namespace sp::report
