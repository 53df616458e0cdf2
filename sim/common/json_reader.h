// Strict reading of JSON documents with errors that name the file and the JSON pointer.
//
// ObjectReader reads one JSON object field by field; finish() rejects keys nobody read, so a
// typo in a profile is an error rather than a silently ignored setting (STYLE habit 12).
// Formats we do not own (Hugging Face config.json) are read without finish().
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

// Parses a file; a syntax error becomes InputError "FILE:LINE:COL: malformed JSON: ...".
json json_load_file(const std::filesystem::path& path);
// Parses text that came from `origin` (a file name or "<stdin>").
json json_parse_text(std::string_view text, std::string_view origin);

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

 private:
  const json* find(std::string_view key);
  [[noreturn]] void fail(std::string_view key, std::string_view what) const;

  const json& j_;
  std::string origin_;
  std::string pointer_;
  std::set<std::string, std::less<>> read_;
};

}  // namespace sp
