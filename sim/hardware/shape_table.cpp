#include "sim/hardware/shape_table.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/common/error.h"

namespace sp {

namespace {

// Index i and weight w such that log2(q) lies between grid[i] and grid[i+1] (w toward i+1).
std::pair<size_t, double> bracket(const std::vector<double>& grid, double q) {
  if (grid.size() == 1 || q <= grid.front()) return {0, 0.0};
  if (q >= grid.back()) return {grid.size() - 2, 1.0};
  const size_t hi = size_t(std::upper_bound(grid.begin(), grid.end(), q) - grid.begin());
  const size_t lo = hi - 1;
  const double w = (std::log2(q) - std::log2(grid[lo])) / (std::log2(grid[hi]) - std::log2(grid[lo]));
  return {lo, w};
}

std::vector<double> read_axis(const json& a, const std::string& where) {
  if (!a.is_array() || a.empty()) throw InputError(fmt::format("{}: expected a non-empty list of ascending numbers > 0", where));
  std::vector<double> v;
  for (const auto& e : a) {
    if (!e.is_number() || !std::isfinite(e.get<double>()) || e.get<double>() <= 0) {
      throw InputError(fmt::format("{}: expected numbers > 0, found {}", where, e.dump()));
    }
    if (!v.empty() && e.get<double>() <= v.back()) {
      throw InputError(fmt::format("{}: values must be strictly ascending ({} after {})", where, e.get<double>(), v.back()));
    }
    v.push_back(e.get<double>());
  }
  return v;
}

double read_eff(const json& e, const std::string& where) {
  if (!e.is_number() || !(e.get<double>() > 0) || e.get<double>() > 1) {
    throw InputError(fmt::format("{}: expected an efficiency in (0, 1], found {}", where, e.dump()));
  }
  return e.get<double>();
}

}  // namespace

double ShapeTable::at(double xq, double yq) const {
  SP_ASSERT(!values.empty(), "ShapeTable::at on an empty table");
  const auto [ix, wx] = bracket(x, xq);
  const auto [iy, wy] = bracket(y, yq);
  const size_t ny = y.size();
  auto v = [&](size_t i, size_t k) { return values[std::min(i, x.size() - 1) * ny + std::min(k, ny - 1)]; };
  const double lo = v(ix, iy) * (1 - wy) + v(ix, iy + 1) * wy;
  const double hi = v(ix + 1, iy) * (1 - wy) + v(ix + 1, iy + 1) * wy;
  return lo * (1 - wx) + hi * wx;
}

bool json_is_shape_table(const json& j) { return j.is_object() && j.contains("x_values"); }

ShapeTable shape_table_from_json(const json& j, const std::string& origin, const std::string& pointer,
                                 std::string_view x_name, std::string_view y_name) {
  ObjectReader r(j, origin, pointer);
  auto axis_name = [&](std::string_view key, std::string_view want) {
    const std::string got = r.string(key);
    if (got != want) throw InputError(fmt::format("{}: axis '{}' here must be '{}'", r.where(key), got, want));
  };
  ShapeTable t;
  axis_name("x", x_name);
  t.x = read_axis(r.raw("x_values"), r.where("x_values"));
  const json& eff = r.raw("efficiency");
  if (y_name.empty()) {
    if (!eff.is_array() || eff.size() != t.x.size()) {
      throw InputError(fmt::format("{}: expected a list of {} efficiencies, one per x value", r.where("efficiency"), t.x.size()));
    }
    for (size_t i = 0; i < eff.size(); ++i) t.values.push_back(read_eff(eff[i], fmt::format("{}/{}", r.where("efficiency"), i)));
  } else {
    axis_name("y", y_name);
    t.y = read_axis(r.raw("y_values"), r.where("y_values"));
    if (!eff.is_array() || eff.size() != t.x.size()) {
      throw InputError(fmt::format("{}: expected {} rows (one per x value) of {} efficiencies (one per y value)",
                                   r.where("efficiency"), t.x.size(), t.y.size()));
    }
    for (size_t i = 0; i < eff.size(); ++i) {
      const std::string row = fmt::format("{}/{}", r.where("efficiency"), i);
      if (!eff[i].is_array() || eff[i].size() != t.y.size()) {
        throw InputError(fmt::format("{}: expected {} efficiencies, one per y value", row, t.y.size()));
      }
      for (size_t k = 0; k < t.y.size(); ++k) t.values.push_back(read_eff(eff[i][k], fmt::format("{}/{}", row, k)));
    }
  }
  r.finish();
  return t;
}

json shape_table_to_json(const ShapeTable& t, std::string_view x_name, std::string_view y_name) {
  json j;
  j["x"] = x_name;
  j["x_values"] = t.x;
  const size_t ny = t.y.size();
  if (y_name.empty()) {
    j["efficiency"] = t.values;
    return j;
  }
  j["y"] = y_name;
  j["y_values"] = t.y;
  json rows = json::array();
  for (size_t i = 0; i < t.x.size(); ++i) {
    rows.push_back(std::vector<double>(t.values.begin() + long(i * ny), t.values.begin() + long((i + 1) * ny)));
  }
  j["efficiency"] = rows;
  return j;
}

}  // namespace sp
