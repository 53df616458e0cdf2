// Sweep scenario files: a base planning question and the alternatives to compare, expanded into
// rows that each are one `shardplan plan` run.
//
//   {"schema_version": 1, "name": "h100-vs-h200",
//    "base": {"model": "llama-3.1-70b", "hardware": "dgx-h100", "request_rate": 4, ...},
//    "scenarios": [{"name": "chat", "input_len": "lognormal:600:400"}, ...],   // optional
//    "grid": {"hardware": ["dgx-h100", "dgx-h200"], "nodes": [1, 2]}}          // optional
//
// Rows = each scenario (or the base alone) x every point of the grid's cartesian product; a
// row's settings are base, then the scenario's, then the grid point's. Setting keys are the
// plan command's flags without dashes, underscores for hyphens (docs/formats.md lists them).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sp {

inline constexpr int kScenarioSchemaVersion = 1;
inline constexpr size_t kMaxScenarioRows = 10000;

struct ScenarioRow {
  std::string name;          // "chat hardware=dgx-h200 nodes=2"
  nlohmann::json settings;   // flat object of setting keys, validated types, trace paths made absolute
};

struct Scenario {
  std::string name;
  std::string description;
  std::vector<ScenarioRow> rows;
  std::string digest;        // of the expanded rows: slices of one sweep carry the same digest
};

// The accepted setting keys, in the order documents print them.
const std::vector<std::string>& scenario_setting_keys();

// Strict: unknown keys, wrong types, empty grids and more than kMaxScenarioRows rows are
// InputErrors naming `origin` and the JSON pointer. Relative trace paths are taken from
// `base_dir` (the scenario file's folder). `grid_order` lists the grid's keys as the file writes
// them (nlohmann::json sorts keys): the first varies fastest; keys it does not list come after,
// in alphabetical order.
Scenario scenario_from_json(const nlohmann::json& j, const std::string& origin, const std::filesystem::path& base_dir,
                            const std::vector<std::string>& grid_order = {});
Scenario scenario_load(const std::filesystem::path& path);

}  // namespace sp
