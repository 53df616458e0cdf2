#include <doctest/doctest.h>

#include "sim/common/error.h"
#include "sim/cost/collective.h"
#include "sim/cost/roofline.h"
#include "sim/hardware/shape_table.h"
#include "sim/hardware/system_profile.h"
#include "sim/hardware/topology.h"

using namespace sp;

namespace {
json h100_json() { return json_load_file(std::string(SHARDPLAN_SOURCE_DIR) + "/hardware_profiles/gpus/h100-sxm.json"); }

ShapeTable two_by_two() {
  return ShapeTable{.x = {1, 4}, .y = {16, 256}, .values = {0.1, 0.2, 0.5, 0.8}};
}
}  // namespace

TEST_SUITE("shape_table") {

TEST_CASE("interpolation is bilinear in log2 of both axes and clamped at the edges") {
  const ShapeTable t = two_by_two();
  CHECK(t.at(1, 16) == doctest::Approx(0.1));
  CHECK(t.at(4, 256) == doctest::Approx(0.8));
  CHECK(t.at(2, 16) == doctest::Approx(0.3));     // halfway in log2 between x = 1 and 4
  CHECK(t.at(1, 64) == doctest::Approx(0.15));    // halfway in log2 between y = 16 and 256
  CHECK(t.at(2, 64) == doctest::Approx(0.4));     // mean of the four corners
  CHECK(t.at(0.01, 1) == doctest::Approx(0.1));   // below both grids: the corner
  CHECK(t.at(1e9, 1e9) == doctest::Approx(0.8));  // above: the other corner
  const ShapeTable one{.x = {1024, 4096}, .values = {0.5, 1.0}};
  CHECK(one.at(2048) == doctest::Approx(0.75));
}

TEST_CASE("tables round-trip through JSON and bad tables are refused with where and why") {
  const json j = shape_table_to_json(two_by_two(), "m", "nk");
  const ShapeTable back = shape_table_from_json(j, "p.json", "/efficiency_tables/gemm_bf16", "m", "nk");
  CHECK(back.x == two_by_two().x);
  CHECK(back.values == two_by_two().values);
  CHECK_THROWS_WITH_AS(shape_table_from_json(j, "p.json", "/t", "seqs", "context"),
                       "p.json: /t/x: axis 'm' here must be 'seqs'", InputError);
  json k = j;
  k["efficiency"][1][0] = 1.5;
  CHECK_THROWS_WITH_AS(shape_table_from_json(k, "p.json", "/t", "m", "nk"),
                       "p.json: /t/efficiency/1/0: expected an efficiency in (0, 1], found 1.5", InputError);
  k = j;
  k["x_values"] = {4, 1};
  CHECK_THROWS_WITH_AS(shape_table_from_json(k, "p.json", "/t", "m", "nk"),
                       "p.json: /t/x_values: values must be strictly ascending (1 after 4)", InputError);
  k = j;
  k["efficiency"][0] = {0.5};
  CHECK_THROWS_WITH_AS(shape_table_from_json(k, "p.json", "/t", "m", "nk"),
                       "p.json: /t/efficiency/0: expected 2 efficiencies, one per y value", InputError);
}

TEST_CASE("a GPU profile's fitted GEMM table replaces the constant efficiency, and needs one source") {
  json j = h100_json();
  const GpuProfile plain = gpu_profile_from_json(j, "p.json");
  CHECK(plain.tables.empty());
  j["efficiency_tables"]["gemm_bf16"] = shape_table_to_json(ShapeTable{.x = {1, 8192}, .y = {1e6, 1e9}, .values = {0.5, 0.5, 0.5, 0.5}}, "m", "nk");
  CHECK_THROWS_WITH_AS(gpu_profile_from_json(j, "p.json"),
                       "p.json: /sources/efficiency_tables.gemm_bf16: missing; every number in a profile names where "
                       "it came from",
                       InputError);
  j["sources"]["efficiency_tables.gemm_bf16"] = "test";
  const GpuProfile g = gpu_profile_from_json(j, "p.json");
  REQUIRE_FALSE(g.tables.gemm_bf16.empty());
  // A 4096 x 8192 x 8192 bf16 GEMM: compute-bound, ideal 2*m*n*k / 989e12.
  Op op{.name = "g", .cls = OpClass::gemm, .flops = 2.0 * 4096 * 8192 * 8192, .bytes = 8192.0 * 8192 * 2, .kernels = 0, .shape = {}};
  op.shape.m = 4096;
  op.shape.nk = 8192.0 * 8192;
  const double ideal = op.flops / 989e12;
  CHECK(op_time(op, g).time_s == doctest::Approx(ideal / 0.5));
  CHECK(op_time(op, plain).time_s == doctest::Approx(ideal / 0.8));
  // The profile writes back what it read.
  const GpuProfile again = gpu_profile_from_json(gpu_profile_to_json(g, j["sources"]), "q.json");
  CHECK(again.tables.gemm_bf16.values == g.tables.gemm_bf16.values);
}

TEST_CASE("a system's collective table sets the bandwidth efficiency of single-node groups") {
  json s = json_load_file(std::string(SHARDPLAN_SOURCE_DIR) + "/hardware_profiles/systems/dgx-h100.json");
  s["gpu"] = h100_json();  // inline GPU profile, as calibrated profiles carry theirs
  s["collective_tables"]["allreduce"] =
      shape_table_to_json(ShapeTable{.x = {1024, 1 << 30}, .y = {2, 8}, .values = {0.41, 0.41, 0.41, 0.41}}, "bytes", "ranks");
  s["sources"]["collective_tables.allreduce"] = "test";
  const SystemProfile sys = system_profile_from_json(s, std::string(SHARDPLAN_SOURCE_DIR) + "/hardware_profiles/systems/x.json");
  Topology topo(Cluster{.system = sys, .nodes = 1});
  const int gpus[] = {0, 1, 2, 3, 4, 5, 6, 7};
  const GroupLinks l = topo.group_links(gpus);
  const double S = 1 << 28;
  // busbw = 2(n-1)/n * S / (t - latency terms) = 450 GB/s line rate * 0.41.
  const double lat = (4.6 + 14 * 0.78) * 1e-6;
  const double t = collective_time_s(Collective::allreduce, S, l);
  CHECK(2.0 * 7 / 8 * S / (t - lat) / 1e9 == doctest::Approx(450 * 0.41));
  // Collectives without a table keep the constant efficiency (0.82).
  const double tg = collective_time_s(Collective::allgather, S, l);
  CHECK(7.0 / 8 * S / (tg - (4.6 + 7 * 0.78) * 1e-6) / 1e9 == doctest::Approx(450 * 0.82));
}

}  // TEST_SUITE
