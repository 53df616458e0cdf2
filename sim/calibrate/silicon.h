// Calibration against measured kernel tables (shared/data/silicon, AIConfigurator, Apache-2.0):
// fits the shape tables of a profile (docs/formats.md) for one system and one engine, and
// reports how well the fitted profile reproduces each table it was fitted to.
//
// Every fitted number has a physical meaning shared by all uses of the GPU or engine: the
// fraction of the ideal roofline time a kernel of a given shape attains, and the fraction of
// the line rate a collective of a given size attains. The fit inverts the cost model for each
// measured row (ideal time / measured time), then takes the median per grid cell.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sim/common/json_reader.h"
#include "sim/hardware/shape_table.h"
#include "sim/serving/engine_preset.h"

namespace sp {

struct TableFit {
  std::string table;        // profile key, e.g. "efficiency_tables.gemm_bf16"
  std::string source;       // the measured file, relative to the silicon folder
  int samples = 0;          // measured rows fitted
  double median_err_pct = 0;  // of |fitted profile's time / measured time - 1| over those rows
  double mean_err_pct = 0;
};

struct SiliconCalibration {
  json profile;             // a system profile with an inline GPU profile; system_profile_from_json reads it
  std::vector<TableFit> fits;
};

// `system`: a bundled system whose GPU has a folder in `silicon_dir` (h100-sxm -> h100_sxm).
// Throws InputError naming what is missing.
SiliconCalibration calibrate_from_silicon(const std::filesystem::path& silicon_dir, std::string_view system,
                                          Engine engine);

// One measurement reduced to a point of a table: its axes and the efficiency it implies.
struct FitSample {
  double x = 0, y = 1, eff = 0;
};
// The median efficiency per cell of the grid (xs x ys), each sample in the cell nearest in
// log2; empty cells take the value of the nearest filled cell. Values clamped to [0.01, max].
ShapeTable grid_fit(const std::vector<FitSample>& samples, std::vector<double> xs, std::vector<double> ys, double max);

}  // namespace sp
