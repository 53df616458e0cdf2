#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "sim/calibrate/csv_table.h"
#include "sim/calibrate/silicon.h"
#include "sim/common/error.h"
#include "sim/hardware/system_profile.h"

using namespace sp;

namespace {
std::filesystem::path write_tmp(const std::string& name, const std::string& text) {
  auto p = std::filesystem::temp_directory_path() / name;
  std::ofstream(p) << text;
  return p;
}
}  // namespace

TEST_SUITE("calibrate") {

TEST_CASE("grid_fit takes the median per cell and fills empty cells from the nearest") {
  const std::vector<FitSample> s{{1, 16, 0.2}, {1, 16, 0.4}, {1, 16, 0.9}, {4, 256, 0.8}, {5, 300, 0.6}};
  const ShapeTable t = grid_fit(s, {1, 4}, {16, 256}, 1.0);
  // (1, 256) is nearer (4, 256) than (1, 16) in log2; (4, 16) is nearer (1, 16).
  CHECK(t.values == std::vector<double>{0.4, 0.7, 0.4, 0.7});
  // Clamped to [0.01, max].
  CHECK(grid_fit({{1, 1, 3.0}}, {1}, {1}, 2.0).values == std::vector<double>{2.0});
}

TEST_CASE("CSV tables are read by column name, and bad rows name file and line") {
  const auto p = write_tmp("sp_calib_ok.csv", "m,latency\n8,0.5\n16,1.25\n");
  const CsvTable t(p);
  CHECK(t.rows() == 2);
  CHECK(t.number(1, t.column("latency")) == 1.25);
  CHECK_THROWS_WITH_AS(t.column("n"), (p.string() + ": no column 'n' (columns: m, latency)").c_str(), InputError);
  const auto bad = write_tmp("sp_calib_bad.csv", "m,latency\n8\n");
  CHECK_THROWS_WITH_AS(CsvTable{bad}, (bad.string() + ":2: expected 2 fields, found 1").c_str(), InputError);
  const auto nan = write_tmp("sp_calib_nan.csv", "m,latency\n8,fast\n");
  const CsvTable n(nan);
  CHECK_THROWS_WITH_AS(n.number(0, 1), (nan.string() + ":2: column latency: 'fast' is not a number").c_str(), InputError);
}

TEST_CASE("a silicon folder without the GPU is refused with what is missing") {
  CHECK_THROWS_WITH_AS(calibrate_from_silicon(std::filesystem::temp_directory_path(), "dgx-h100", Engine::vllm),
                       ("--from-silicon: no folder 'h100_sxm' in " + std::filesystem::temp_directory_path().string() +
                        " for GPU 'h100-sxm' of system 'dgx-h100'")
                           .c_str(),
                       InputError);
}

TEST_CASE("on the measured tables, the fitted profile loads and reproduces the GEMMs it was fitted to") {
  const std::filesystem::path silicon = std::string(SHARDPLAN_SOURCE_DIR) + "/../shared/data/silicon";
  if (!std::filesystem::is_directory(silicon / "h100_sxm")) {
    MESSAGE("skipped: ../shared/data/silicon is not here");
    return;
  }
  const SiliconCalibration cal = calibrate_from_silicon(silicon, "dgx-h100", Engine::trtllm);
  const SystemProfile s = system_profile_from_json(cal.profile, std::string(SHARDPLAN_SOURCE_DIR) + "/x.json");
  CHECK(s.name == "dgx-h100-trtllm");
  CHECK_FALSE(s.gpu.tables.gemm_bf16.empty());
  CHECK_FALSE(s.collective_tables.allreduce.empty());
  for (const auto& f : cal.fits) {
    CAPTURE(f.table);
    CHECK(f.samples > 0);
    // A fit worse than this is a bug in the fit, not noise in the data.
    CHECK(f.median_err_pct < 15);
  }
}

}  // TEST_SUITE

TEST_SUITE("calibrate") {

TEST_CASE("every committed calibrated profile loads, with a source for every table") {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(SHARDPLAN_SOURCE_DIR) + "/hardware_profiles/calibrated")) {
    if (e.path().extension() != ".json") continue;
    // calibrate --backend cpu keeps its raw measurements beside the profile: data, not a profile.
    if (e.path().filename().string().ends_with(".measurements.json")) continue;
    CAPTURE(e.path().string());
    const SystemProfile s = system_profile_load(e.path().string());  // throws on a table without its source
    CHECK(s.name == e.path().stem().string());
    CHECK_FALSE(s.gpu.tables.gemm_bf16.empty());
    ++n;
  }
  // 5 systems (4 DGX and aws-p6-b200, the B200 fits with an EFA network) x vLLM/TensorRT-LLM
  // fitted from silicon, and cpu-local (calibrate --backend cpu).
  CHECK(n == 11);
}

}  // TEST_SUITE
