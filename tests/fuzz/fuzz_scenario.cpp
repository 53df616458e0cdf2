// Fuzz target: sweep scenario files (planner/scenario.h): expansion into rows must stay within
// the row limit, name every row and carry only known setting keys.
#include <algorithm>

#include "planner/scenario.h"
#include "sim/common/json_reader.h"
#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sp;
  return fuzz::run(data, size, [](std::string_view text) {
    const Scenario s = scenario_from_json(json_parse_text(text, "fuzz-scenario.json"), "fuzz-scenario.json", "/tmp");
    FUZZ_CHECK(!s.rows.empty() && s.rows.size() <= kMaxScenarioRows);
    const auto& keys = scenario_setting_keys();
    for (const auto& row : s.rows) {
      FUZZ_CHECK(row.settings.is_object());
      for (const auto& [k, v] : row.settings.items()) {
        FUZZ_CHECK(std::find(keys.begin(), keys.end(), k) != keys.end());
      }
    }
  });
}
