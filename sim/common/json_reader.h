// Strict reading of JSON documents with errors that name the file and the JSON pointer.
//
// ObjectReader reads one JSON object field by field; finish() rejects keys nobody read, so a
// typo in a profile is an error rather than a silently ignored setting (STYLE habit 12). Keys
// that start with "x-" are extensions: finish() lets them through, unread, so a tool can annotate
// a file we own. Formats we do not own (Hugging Face config.json) are read without finish().
//
// This is the one place where JSON values are checked: every number against an accepted range
// (NaN, infinities, strings and out-of-range values are errors quoting the range), every message
// naming the document and the RFC 6901 JSON pointer of the value. Parsing itself rejects what
// nlohmann/json would silently accept: a repeated key (nlohmann keeps the last), nesting deeper
// than kJsonMaxDepth and documents larger than kJsonMaxBytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sp {

using json = nlohmann::json;

// Profiles and configs are kilobytes; these bounds only stop absurd inputs early.
inline constexpr size_t kJsonMaxBytes = size_t(64) << 20;  // 64 MiB
inline constexpr int kJsonMaxDepth = 64;

// Parses a file; a syntax error becomes InputError "FILE:LINE:COL: malformed JSON: ...".
json json_load_file(const std::filesystem::path& path);
// Parses text that came from `origin` (a file name or "<stdin>").
json json_parse_text(std::string_view text, std::string_view origin);

// One reference token of a JSON pointer: '~' becomes "~0" and '/' becomes "~1" (RFC 6901).
std::string json_pointer_token(std::string_view key);

class ObjectReader {
 public:
  // `origin` names the document (usually its path), `pointer` this object's JSON pointer ("" = root).
  ObjectReader(const json& j, std::string origin, std::string pointer = "");

  bool has(std::string_view key) const;
  // Required number in [lo, hi]; rejects NaN, infinities, strings and missing keys.
  double number(std::string_view key, double lo, double hi);
  std::optional<double> number_opt(std::string_view key, double lo, double hi);
  int64_t integer(std::string_view key, int64_t lo, int64_t hi);
  std::optional<int64_t> integer_opt(std::string_view key, int64_t lo, int64_t hi);
  std::string string(std::string_view key);
  std::optional<std::string> string_opt(std::string_view key);
  std::optional<bool> boolean_opt(std::string_view key);
  ObjectReader object(std::string_view key);
  const json& raw(std::string_view key);  // marks the key as read
  // Keys of this object that were not read: an error naming the first one and the known keys.
  void finish() const;

  std::string where(std::string_view key) const;  // "origin: /pointer/key"
  const std::string& pointer() const { return pointer_; }

 private:
  const json* find(std::string_view key);
  [[noreturn]] void fail(std::string_view key, std::string_view what) const;
  // A required key is absent: `what` plus, when a key of this object is one or two edits away,
  // a question naming it (a typo is the usual cause).
  [[noreturn]] void missing(std::string_view key, std::string_view what) const;

  const json& j_;
  std::string origin_;
  std::string pointer_;
  std::set<std::string, std::less<>> read_;
};

}  // namespace sp
