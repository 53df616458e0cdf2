#include <doctest/doctest.h>

#include "planner/plan_file.h"
#include "sim/common/error.h"

using namespace sp;

TEST_SUITE("planner") {
  TEST_CASE("plan.json round-trips and placement keeps TP groups in a node") {
    PlanFile p;
    p.model = "llama-3.1-70b";
    p.hardware = "dgx-h100";
    p.nodes = 2;
    p.parallel = {.tp = 4, .pp = 2, .dp = 2, .ep = 1};
    p.placement = placement_make(p.parallel, 8);
    p.batch.microbatches = 3;
    p.workload.arrival = "poisson";
    p.workload.request_rate = 2.5;
    p.prediction = {{"ttft_p99_ms", 12.5}};
    REQUIRE(p.placement.size() == 16);
    for (const auto& r : p.placement) {
      // Every rank of a TP group sits on the node of its group's first rank.
      CHECK(r.node == p.placement[size_t(r.rank - r.tp_rank)].node);
    }
    CHECK(p.placement[9].node == 1);
    CHECK(p.placement[9].gpu == 1);
    CHECK(p.placement[9].replica == 1);
    CHECK(p.placement[9].stage == 0);

    p.batch.kv_cache_free_fraction = 0.869;
    const nlohmann::json j = plan_to_json(p);
    const PlanFile q = plan_from_json(j, "mem");
    CHECK(plan_to_json(q) == j);
    CHECK(q.batch.kv_cache_free_fraction == 0.869);
    // A plan.json written before the key existed still loads; the fraction is then unknown (0).
    nlohmann::json old = j;
    old["batch"].erase("kv_cache_free_fraction");
    CHECK(plan_from_json(old, "old").batch.kv_cache_free_fraction == 0);
  }

  TEST_CASE("plan.json rejects unknown keys, other versions and inconsistent placement") {
    PlanFile p;
    p.model = "llama-3.1-8b";
    p.hardware = "dgx-h100";
    p.parallel = {.tp = 2, .pp = 1, .dp = 1, .ep = 1};
    p.placement = placement_make(p.parallel, 8);
    nlohmann::json j = plan_to_json(p);

    auto bad = j;
    bad["batch"]["max_num_seq"] = 3;
    CHECK_THROWS_WITH_AS(plan_from_json(bad, "p.json"), doctest::Contains("max_num_seq"), InputError);
    bad = j;
    bad["schema_version"] = 2;
    CHECK_THROWS_WITH_AS(plan_from_json(bad, "p.json"), doctest::Contains("schema_version 2"), InputError);
    bad = j;
    bad["placement"][1]["tp_rank"] = 0;
    CHECK_THROWS_WITH_AS(plan_from_json(bad, "p.json"), doctest::Contains("/placement/1"), InputError);
    bad = j;
    bad["placement"].erase(1);
    CHECK_THROWS_WITH_AS(plan_from_json(bad, "p.json"), doctest::Contains("1 ranks placed but tp*pp*dp = 2"),
                         InputError);
    bad = j;
    bad["engine"] = "tgi";
    CHECK_THROWS_WITH_AS(plan_from_json(bad, "p.json"), doctest::Contains("not one of vllm"), InputError);
  }
}
