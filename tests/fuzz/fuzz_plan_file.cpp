// Fuzz target: plan.json (planner/plan_file.h), read strictly; a plan that reads must survive a
// write and a second read unchanged, and its placement must agree with its split.
#include "planner/plan_file.h"
#include "sim/common/json_reader.h"
#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sp;
  return fuzz::run(data, size, [](std::string_view text) {
    const PlanFile p = plan_from_json(json_parse_text(text, "fuzz-plan.json"), "fuzz-plan.json");
    FUZZ_CHECK(int64_t(p.placement.size()) == int64_t(p.parallel.gpus()));
    const nlohmann::json j = plan_to_json(p);
    FUZZ_CHECK(plan_to_json(plan_from_json(j, "again")) == j);
  });
}
