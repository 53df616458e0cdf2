#include "sim/common/json_reader.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "sim/common/error.h"

namespace sp {

namespace {

// nlohmann reports a byte offset; people want line and column.
std::pair<size_t, size_t> line_col(std::string_view text, size_t byte) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

std::string type_name(const json& v) {
  if (v.is_number()) return v.dump();
  if (v.is_string()) return fmt::format("the string \"{}\"", v.get<std::string>());
  if (v.is_boolean()) return "a boolean";
  if (v.is_null()) return "null";
  if (v.is_array()) return "an array";
  return "an object";
}

}  // namespace

json json_parse_text(std::string_view text, std::string_view origin) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    auto [line, col] = line_col(text, e.byte > 0 ? e.byte - 1 : 0);
    // nlohmann's text repeats the position; keep only what it found.
    std::string what = e.what();
    if (auto pos = what.find(": syntax error"); pos != std::string::npos) what = what.substr(pos + 2);
    else if (auto p2 = what.find("parse error"); p2 != std::string::npos) what = what.substr(p2);
    throw InputError(fmt::format("{}:{}:{}: malformed JSON: {}", origin, line, col, what));
  }
}

json json_load_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw InputError(fmt::format("{}: no such file", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot be read", path.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  return json_parse_text(ss.str(), path.string());
}

ObjectReader::ObjectReader(const json& j, std::string origin, std::string pointer)
    : j_(j), origin_(std::move(origin)), pointer_(std::move(pointer)) {
  if (!j_.is_object()) {
    throw InputError(fmt::format("{}: {}: expected a JSON object, found {}", origin_,
                                 pointer_.empty() ? "/" : pointer_, type_name(j_)));
  }
}

std::string ObjectReader::where(std::string_view key) const {
  return fmt::format("{}: {}/{}", origin_, pointer_, key);
}

void ObjectReader::fail(std::string_view key, std::string_view what) const {
  throw InputError(fmt::format("{}: {}", where(key), what));
}

bool ObjectReader::has(std::string_view key) const { return j_.contains(std::string(key)); }

const json* ObjectReader::find(std::string_view key) {
  // Asked-for keys are known even when absent, so an unknown-key error can list optional ones.
  read_.emplace(key);
  auto it = j_.find(std::string(key));
  return it == j_.end() ? nullptr : &*it;
}

std::optional<double> ObjectReader::number_opt(std::string_view key, double lo, double hi) {
  const json* v = find(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_number()) fail(key, fmt::format("expected a number in [{}, {}], found {}", lo, hi, type_name(*v)));
  double x = v->get<double>();
  if (!std::isfinite(x) || x < lo || x > hi) {
    fail(key, fmt::format("expected a number in [{}, {}], found {}", lo, hi, x));
  }
  return x;
}

double ObjectReader::number(std::string_view key, double lo, double hi) {
  auto x = number_opt(key, lo, hi);
  if (!x) fail(key, fmt::format("missing required number (accepted range [{}, {}])", lo, hi));
  return *x;
}

std::optional<int64_t> ObjectReader::integer_opt(std::string_view key, int64_t lo, int64_t hi) {
  const json* v = find(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  bool integral = v->is_number_integer() ||
                  (v->is_number_float() && std::isfinite(v->get<double>()) &&
                   std::floor(v->get<double>()) == v->get<double>() && std::fabs(v->get<double>()) < 9e18);
  if (!integral) fail(key, fmt::format("expected an integer in [{}, {}], found {}", lo, hi, type_name(*v)));
  int64_t x = v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(INT64_MAX) ? INT64_MAX
              : v->is_number_float()                                             ? int64_t(v->get<double>())
                                                                                 : v->get<int64_t>();
  if (x < lo || x > hi) fail(key, fmt::format("expected an integer in [{}, {}], found {}", lo, hi, x));
  return x;
}

int64_t ObjectReader::integer(std::string_view key, int64_t lo, int64_t hi) {
  auto x = integer_opt(key, lo, hi);
  if (!x) fail(key, fmt::format("missing required integer (accepted range [{}, {}])", lo, hi));
  return *x;
}

std::optional<std::string> ObjectReader::string_opt(std::string_view key) {
  const json* v = find(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) fail(key, fmt::format("expected a string, found {}", type_name(*v)));
  return v->get<std::string>();
}

std::string ObjectReader::string(std::string_view key) {
  auto s = string_opt(key);
  if (!s) fail(key, "missing required string");
  return *s;
}

std::optional<bool> ObjectReader::boolean_opt(std::string_view key) {
  const json* v = find(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_boolean()) fail(key, fmt::format("expected true or false, found {}", type_name(*v)));
  return v->get<bool>();
}

ObjectReader ObjectReader::object(std::string_view key) {
  const json* v = find(key);
  if (v == nullptr) fail(key, "missing required object");
  if (!v->is_object()) fail(key, fmt::format("expected an object, found {}", type_name(*v)));
  return ObjectReader(*v, origin_, fmt::format("{}/{}", pointer_, key));
}

const json& ObjectReader::raw(std::string_view key) {
  const json* v = find(key);
  if (v == nullptr) fail(key, "missing required field");
  return *v;
}

void ObjectReader::finish() const {
  for (auto it = j_.begin(); it != j_.end(); ++it) {
    if (read_.count(it.key()) == 0) {
      std::string known;
      for (const auto& k : read_) known += (known.empty() ? "" : ", ") + k;
      fail(it.key(), fmt::format("unknown key (known keys here: {})", known.empty() ? "none" : known));
    }
  }
}

}  // namespace sp
