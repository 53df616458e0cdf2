#include "sim/common/json_reader.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

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

// Levenshtein distance, for "did you mean"; keys are short, so O(|a| |b|) is nothing.
size_t edit_distance(std::string_view a, std::string_view b) {
  if (a.size() > 64 || b.size() > 64) return a == b ? 0 : 64;
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string type_name(const json& v) {
  if (v.is_number()) return v.dump();
  if (v.is_string()) return fmt::format("the string \"{}\"", message_quote(v.get_ref<const std::string&>()));
  if (v.is_boolean()) return "a boolean";
  if (v.is_null()) return "null";
  if (v.is_array()) return "an array";
  return "an object";
}

// Follows the parse to name where a repeated key or too deep a nesting is, as a JSON pointer.
// nlohmann calls back on every key, on the start and end of every object and array, and after
// every scalar; `index` counts the finished elements of an array.
class ParseWatcher {
 public:
  explicit ParseWatcher(std::string origin) : origin_(std::move(origin)) {}

  bool operator()(int depth, json::parse_event_t ev, json& parsed) {
    using E = json::parse_event_t;
    switch (ev) {
      case E::object_start:
      case E::array_start:
        if (depth >= kJsonMaxDepth) {
          throw InputError(fmt::format("{}: {}: nesting deeper than {} levels; profiles and configs need a few",
                                       origin_, pointer(stack_.size(), ""), kJsonMaxDepth));
        }
        stack_.emplace_back();
        stack_.back().object = ev == E::object_start;
        break;
      case E::key: {
        Frame& f = stack_.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) {
          throw InputError(fmt::format("{}: {}: duplicate key (JSON readers disagree on which one wins); keep one",
                                       origin_, pointer(stack_.size() - 1, f.key)));
        }
        break;
      }
      case E::object_end:
      case E::array_end:
        stack_.pop_back();
        [[fallthrough]];
      case E::value:
        if (!stack_.empty() && !stack_.back().object) ++stack_.back().index;
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool object = true;
    std::set<std::string, std::less<>> keys;
    std::string key;
    size_t index = 0;
  };

  // The pointer of the current element of the outer `frames` open containers, then `last`.
  std::string pointer(size_t frames, std::string_view last) const {
    std::string p;
    for (size_t i = 0; i < frames; ++i) {
      p += "/" + (stack_[i].object ? json_pointer_token(stack_[i].key) : std::to_string(stack_[i].index));
    }
    if (!last.empty()) p += "/" + json_pointer_token(last);
    return p.empty() ? "/" : message_quote(p);
  }

  std::string origin_;
  std::vector<Frame> stack_;
};

}  // namespace

std::string json_pointer_token(std::string_view key) {
  std::string t;
  for (char c : key) {
    if (c == '~') t += "~0";
    else if (c == '/') t += "~1";
    else t += c;
  }
  return t;
}

json json_parse_text(std::string_view text, std::string_view origin) {
  if (text.size() > kJsonMaxBytes) {
    throw InputError(fmt::format("{}: {} bytes is larger than the {} MiB a JSON input may have", origin, text.size(),
                                 kJsonMaxBytes >> 20));
  }
  try {
    return json::parse(text.begin(), text.end(), ParseWatcher(std::string(origin)));
  } catch (const json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    auto [line, col] = line_col(text, e.byte > 0 ? e.byte - 1 : 0);
    // nlohmann's text repeats the position; keep only what it found.
    std::string what = e.what();
    if (auto pos = what.find(": syntax error"); pos != std::string::npos) what = what.substr(pos + 2);
    else if (auto p2 = what.find("parse error"); p2 != std::string::npos) what = what.substr(p2);
    throw InputError(fmt::format("{}:{}:{}: malformed JSON: {}", origin, line, col, message_quote(what, 200)));
  } catch (const json::out_of_range& e) {
    // A number beyond a double ("1e400"): nlohmann gives no position but quotes the literal.
    const std::string_view what = e.what();
    const size_t q1 = what.find('\''), q2 = what.rfind('\'');
    const std::string_view literal = q1 < q2 ? what.substr(q1 + 1, q2 - q1 - 1) : std::string_view();
    const size_t at = literal.empty() ? std::string_view::npos : text.find(literal);
    auto [line, col] = line_col(text, at == std::string_view::npos ? 0 : at);
    throw InputError(fmt::format("{}:{}:{}: malformed JSON: number overflow: '{}' is beyond the range of a double",
                                 origin, line, col, message_quote(literal)));
  } catch (const json::exception& e) {
    throw InputError(fmt::format("{}: malformed JSON: {}", origin, message_quote(e.what(), 200)));
  }
}

json json_load_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw InputError(fmt::format("{}: no such file", path.string()));
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kJsonMaxBytes) {
    throw InputError(fmt::format("{}: {} bytes is larger than the {} MiB a JSON input may have", path.string(), size,
                                 kJsonMaxBytes >> 20));
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
  return fmt::format("{}: {}", origin_, message_quote(fmt::format("{}/{}", pointer_, json_pointer_token(key))));
}

void ObjectReader::fail(std::string_view key, std::string_view what) const {
  throw InputError(fmt::format("{}: {}", where(key), what));
}

void ObjectReader::missing(std::string_view key, std::string_view what) const {
  for (auto it = j_.begin(); it != j_.end(); ++it) {
    if (read_.count(it.key()) == 0 && edit_distance(it.key(), key) <= 2) {
      fail(key, fmt::format("{}; is '{}' a misspelling of it?", what, message_quote(it.key())));
    }
  }
  fail(key, what);
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
  if (!x) missing(key, fmt::format("missing required number (accepted range [{}, {}])", lo, hi));
  return *x;
}

std::optional<int64_t> ObjectReader::integer_opt(std::string_view key, int64_t lo, int64_t hi) {
  const json* v = find(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  bool integral = v->is_number_integer() ||
                  (v->is_number_float() && std::isfinite(v->get<double>()) &&
                   std::floor(v->get<double>()) == v->get<double>() && std::fabs(v->get<double>()) < 9e18);
  const bool too_big = v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(INT64_MAX);
  if (!integral || too_big) fail(key, fmt::format("expected an integer in [{}, {}], found {}", lo, hi, type_name(*v)));
  const int64_t x = v->is_number_float() ? int64_t(v->get<double>()) : v->get<int64_t>();
  if (x < lo || x > hi) fail(key, fmt::format("expected an integer in [{}, {}], found {}", lo, hi, type_name(*v)));
  return x;
}

int64_t ObjectReader::integer(std::string_view key, int64_t lo, int64_t hi) {
  auto x = integer_opt(key, lo, hi);
  if (!x) missing(key, fmt::format("missing required integer (accepted range [{}, {}])", lo, hi));
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
  if (!s) missing(key, "missing required string");
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
  if (v == nullptr) missing(key, "missing required object");
  if (!v->is_object()) fail(key, fmt::format("expected an object, found {}", type_name(*v)));
  return ObjectReader(*v, origin_, fmt::format("{}/{}", pointer_, json_pointer_token(key)));
}

const json& ObjectReader::raw(std::string_view key) {
  const json* v = find(key);
  if (v == nullptr) missing(key, "missing required field");
  return *v;
}

void ObjectReader::finish() const {
  for (auto it = j_.begin(); it != j_.end(); ++it) {
    if (read_.count(it.key()) == 0 && !it.key().starts_with("x-")) {
      std::string known;
      for (const auto& k : read_) known += (known.empty() ? "" : ", ") + k;
      fail(it.key(), fmt::format("unknown key (known keys here: {}; extensions start with x-)",
                                 known.empty() ? "none" : known));
    }
  }
}

}  // namespace sp
