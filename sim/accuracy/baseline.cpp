#include "sim/accuracy/baseline.h"

#include <cmath>

#include <fmt/format.h>

#include "sim/common/error.h"

namespace sp {

namespace {
double round2(double x) { return std::round(x * 100) / 100; }
}  // namespace

json accuracy_baseline_json(const AccuracyReport& r) {
  json fam = json::object();
  for (const auto& f : r.families) {
    fam[f.name] = {{"count", f.count}, {"median_ape_pct", round2(f.median_ape)}, {"mape_pct", round2(f.mape)}};
  }
  return json{{"schema_version", 1},
              {"tolerance_points", 2.0},
              {"families", fam},
              {"kendall_tau", round2(r.ranking.tau)}};
}

std::vector<std::string> accuracy_regressions(const AccuracyReport& r, const json& baseline, const std::string& origin) {
  ObjectReader b(baseline, origin);
  b.integer("schema_version", 1, 1);
  const double tol = b.number("tolerance_points", 0, 100);
  b.number("kendall_tau", -1, 1);
  const json& fam = b.raw("families");
  if (!fam.is_object()) throw InputError(b.where("families") + ": expected an object");
  b.finish();
  std::vector<std::string> out;
  for (const auto& f : r.families) {
    if (!fam.contains(f.name)) {
      out.push_back(fmt::format("{}: family '{}' has no committed figure; regenerate the baseline", origin, f.name));
      continue;
    }
    ObjectReader e(fam[f.name], origin, "/families/" + f.name);
    const double mape = e.number("mape_pct", 0, 1e9);
    const int64_t count = e.integer("count", 0, 1'000'000);
    e.number("median_ape_pct", 0, 1e9);
    e.finish();
    if (f.mape > mape + tol) {
      out.push_back(fmt::format("{}: MAPE {:.2f}% is more than {} points above the committed {:.2f}%", f.name, f.mape,
                                tol, mape));
    }
    if (f.count < count) {
      out.push_back(fmt::format("{}: {} records predicted, {} committed; a record stopped mapping", f.name, f.count, count));
    }
  }
  return out;
}

}  // namespace sp
