// A fitted efficiency curve over one or two shape axes (e.g. GEMM rows m and weight size n*k,
// or collective bytes and ranks): the fraction of an ideal time that real kernels attain,
// interpolated between grid points. `shardplan calibrate` fits these from measured kernel
// tables; profiles without them fall back to constant efficiencies (docs/formats.md).
#pragma once

#include <string_view>
#include <vector>

#include "sim/common/json_reader.h"

namespace sp {

struct ShapeTable {
  std::vector<double> x;       // ascending grid of the first axis, > 0, e.g. m = {1, 16, 256, 4096}
  std::vector<double> y{1.0};  // ascending grid of the second axis; {1} for a one-axis table
  std::vector<double> values;  // efficiency in (0, 1], x.size() * y.size(), row-major (index ix * y.size() + iy)

  bool empty() const { return values.empty(); }
  // Bilinear interpolation in (log2 x, log2 y); queries outside the grid take the nearest edge
  // (no extrapolation: a curve says nothing about shapes nobody measured). Requires !empty().
  double at(double xq, double yq = 1.0) const;
};

// Reads {"x": X_NAME, "y": Y_NAME, "x_values": [...], "y_values": [...], "efficiency": [[...], ...]}
// ("y" and "y_values" omitted for a one-axis table, "efficiency" then a flat list). The axis
// names must be the expected ones, so a table fitted for other axes is refused, not misread.
// Throws InputError naming `where` (file and JSON pointer) on any violation.
ShapeTable shape_table_from_json(const json& j, const std::string& origin, const std::string& pointer,
                                 std::string_view x_name, std::string_view y_name = {});
json shape_table_to_json(const ShapeTable& t, std::string_view x_name, std::string_view y_name = {});

// A profile key whose value is a shape table: it needs one source, not one per number.
bool json_is_shape_table(const json& j);

}  // namespace sp
