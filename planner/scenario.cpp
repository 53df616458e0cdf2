#include "planner/scenario.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>

#include <fmt/format.h>

#include "sim/common/error.h"
#include "sim/common/json_reader.h"

namespace sp {

namespace {

enum class Kind { string, integer, number, boolean, int_list, length };

struct Key {
  const char* name;
  Kind kind;
};

const std::vector<Key>& keys() {
  static const std::vector<Key> k = {
      {"model", Kind::string},          {"hardware", Kind::string},
      {"nodes", Kind::integer},         {"gpus", Kind::integer},
      {"allow_fewer_gpus", Kind::boolean}, {"allow_cross_node_tp", Kind::boolean},
      {"dtype", Kind::string},          {"kv_dtype", Kind::string},
      {"max_model_len", Kind::integer}, {"gpu_memory_utilization", Kind::number},
      {"max_num_seqs", Kind::int_list}, {"max_num_batched_tokens", Kind::int_list},
      {"input_len", Kind::length},      {"output_len", Kind::length},
      {"num_requests", Kind::integer},  {"request_rate", Kind::number},
      {"concurrency", Kind::integer},   {"trace", Kind::string},
      {"seed", Kind::integer},          {"slo", Kind::string},
      {"objective", Kind::string},      {"gpu_hour_usd", Kind::number},
      {"engine", Kind::string},         {"simulate_top", Kind::integer},
  };
  return k;
}

std::string known_list() {
  std::string s;
  for (const auto& k : keys()) s += (s.empty() ? "" : ", ") + std::string(k.name);
  return s;
}

// Checks one setting's value and returns it in canonical form (lengths as strings, single
// integers of a list as a list, trace paths absolute).
nlohmann::json setting(const std::string& origin, const std::string& ptr, const std::string& key, const nlohmann::json& v,
                       const std::filesystem::path& base_dir) {
  const Key* k = nullptr;
  for (const auto& x : keys()) {
    if (key == x.name) k = &x;
  }
  if (!k) throw InputError(fmt::format("{}: {}: unknown setting '{}' (known: {})", origin, message_quote(ptr, 120), message_quote(key), known_list()));
  auto bad = [&](std::string_view want) {
    return InputError(fmt::format("{}: {}: expected {}, found {}", origin, message_quote(ptr, 120), want, message_quote(v.dump(), 80)));
  };
  switch (k->kind) {
    case Kind::string:
      if (!v.is_string() || v.get<std::string>().empty()) throw bad("a non-empty string");
      if (key == "trace") {
        std::filesystem::path p(v.get<std::string>());
        if (p.is_relative()) p = base_dir / p;
        return p.lexically_normal().string();
      }
      return v;
    case Kind::integer:
      if (!v.is_number_integer()) throw bad("an integer");
      return v;
    case Kind::number:
      if (!v.is_number() || !std::isfinite(v.get<double>())) throw bad("a number");
      return v;
    case Kind::boolean:
      if (!v.is_boolean()) throw bad("true or false");
      return v;
    case Kind::int_list: {
      if (v.is_number_integer()) return nlohmann::json::array({v});
      if (!v.is_array() || v.empty()) throw bad("an integer or a non-empty list of integers");
      for (const auto& x : v) {
        if (!x.is_number_integer()) throw bad("a list of integers");
      }
      return v;
    }
    case Kind::length:
      if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
      if (!v.is_string() || v.get<std::string>().empty()) throw bad("a length: N or a distribution such as \"uniform:100:200\"");
      return v;
  }
  return v;
}

nlohmann::json settings_object(const nlohmann::json& j, const std::string& origin, const std::string& ptr,
                               const std::filesystem::path& base_dir, bool allow_name) {
  if (!j.is_object()) throw InputError(fmt::format("{}: {}: expected an object of settings", origin, message_quote(ptr, 120)));
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, v] : j.items()) {
    if (allow_name && key == "name") continue;
    out[key] = setting(origin, ptr + "/" + key, key, v, base_dir);
  }
  return out;
}

std::string grid_value_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array() && v.size() == 1) return v[0].dump();
  return v.dump();
}

}  // namespace

const std::vector<std::string>& scenario_setting_keys() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& k : keys()) n.push_back(k.name);
    return n;
  }();
  return names;
}

Scenario scenario_from_json(const nlohmann::json& j, const std::string& origin, const std::filesystem::path& base_dir,
                            const std::vector<std::string>& grid_order) {
  if (!j.is_object()) throw InputError(origin + ": a scenario file must be a JSON object");
  ObjectReader r(j, origin);
  const int64_t version = r.integer("schema_version", 1, 1000);
  if (version != kScenarioSchemaVersion) {
    throw InputError(fmt::format("{}: schema_version {} is not supported (this shardplan reads version {})",
                                 r.where("schema_version"), version, kScenarioSchemaVersion));
  }
  Scenario s;
  s.name = r.string("name");
  s.description = r.string_opt("description").value_or("");
  const nlohmann::json base = r.has("base") ? settings_object(r.raw("base"), origin, "/base", base_dir, false)
                                            : nlohmann::json::object();
  // Scenarios: named overrides.
  std::vector<std::pair<std::string, nlohmann::json>> variants;
  if (r.has("scenarios")) {
    const auto& list = r.raw("scenarios");
    if (!list.is_array() || list.empty()) throw InputError(r.where("scenarios") + ": expected a non-empty list of objects");
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string ptr = fmt::format("/scenarios/{}", i);
      if (!list[i].is_object() || !list[i].contains("name") || !list[i]["name"].is_string()) {
        throw InputError(fmt::format("{}: {}: each scenario needs a \"name\" string", origin, message_quote(ptr, 120)));
      }
      variants.emplace_back(list[i]["name"].get<std::string>(), settings_object(list[i], origin, ptr, base_dir, true));
    }
  } else {
    variants.emplace_back("", nlohmann::json::object());
  }
  // Grid: the cartesian product of each key's values.
  std::vector<std::pair<std::string, std::vector<nlohmann::json>>> axes;
  if (r.has("grid")) {
    const auto& g = r.raw("grid");
    if (!g.is_object() || g.empty()) throw InputError(r.where("grid") + ": expected an object of setting -> list of values");
    for (const auto& [key, vals] : g.items()) {
      const std::string ptr = "/grid/" + key;
      if (!vals.is_array() || vals.empty()) {
        throw InputError(fmt::format("{}: {}: expected a non-empty list of values", origin, message_quote(ptr, 120)));
      }
      std::vector<nlohmann::json> vs;
      for (size_t i = 0; i < vals.size(); ++i) vs.push_back(setting(origin, fmt::format("{}/{}", ptr, i), key, vals[i], base_dir));
      axes.emplace_back(key, std::move(vs));
    }
    auto rank = [&](const std::string& k) { return size_t(std::find(grid_order.begin(), grid_order.end(), k) - grid_order.begin()); };
    std::stable_sort(axes.begin(), axes.end(), [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
  }
  r.finish();
  size_t total = variants.size();
  for (const auto& [k, vs] : axes) {
    if (total > kMaxScenarioRows / vs.size()) {
      throw InputError(fmt::format("{}: the sweep expands to more than {} rows; split it into several files",
                                   origin, kMaxScenarioRows));
    }
    total *= vs.size();
  }
  for (const auto& [vname, vset] : variants) {
    std::vector<size_t> idx(axes.size(), 0);
    while (true) {
      ScenarioRow row;
      row.settings = base;
      for (const auto& [k, v] : vset.items()) row.settings[k] = v;
      std::string label = vname;
      for (size_t a = 0; a < axes.size(); ++a) {
        const auto& v = axes[a].second[idx[a]];
        row.settings[axes[a].first] = v;
        label += (label.empty() ? "" : " ") + axes[a].first + "=" + grid_value_text(v);
      }
      row.name = label.empty() ? s.name : label;
      s.rows.push_back(std::move(row));
      size_t a = 0;
      for (; a < axes.size(); ++a) {
        if (++idx[a] < axes[a].second.size()) break;
        idx[a] = 0;
      }
      if (a == axes.size()) break;
    }
  }
  nlohmann::json all = nlohmann::json::array();
  for (const auto& row : s.rows) all.push_back({row.name, row.settings});
  // FNV-1a: the same on every platform, so slices run on different machines can be joined.
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : all.dump()) h = (h ^ ch) * 1099511628211ULL;
  s.digest = fmt::format("{:016x}", h);
  return s;
}

Scenario scenario_load(const std::filesystem::path& path) {
  const nlohmann::json j = json_load_file(path);  // checks the file and names errors
  // The same text again, order-preserving, only for the order of the grid's keys.
  std::vector<std::string> grid_order;
  std::ifstream in(path, std::ios::binary);
  const auto ordered = nlohmann::ordered_json::parse(in, nullptr, false);
  if (ordered.is_object() && ordered.contains("grid") && ordered["grid"].is_object()) {
    for (const auto& [key, value] : ordered["grid"].items()) grid_order.push_back(key);
  }
  return scenario_from_json(j, path.string(), path.parent_path(), grid_order);
}

}  // namespace sp
