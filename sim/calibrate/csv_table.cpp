#include "sim/calibrate/csv_table.h"

#include <charconv>
#include <fstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/common/error.h"

namespace sp {

namespace {
std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    out.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}
}  // namespace

CsvTable::CsvTable(const std::filesystem::path& path) : path_(path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: no such file", path.string()));
  std::string line;
  if (!std::getline(in, line)) throw InputError(fmt::format("{}: empty file, expected a header row", path.string()));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  header_ = split(line);
  size_t lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto f = split(line);
    if (f.size() != header_.size()) {
      throw InputError(fmt::format("{}:{}: expected {} fields, found {}", path.string(), lineno, header_.size(), f.size()));
    }
    rows_.push_back(std::move(f));
  }
}

bool CsvTable::has_column(std::string_view name) const {
  for (const auto& h : header_)
    if (h == name) return true;
  return false;
}

size_t CsvTable::column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == name) return i;
  throw InputError(fmt::format("{}: no column '{}' (columns: {})", path_.string(), name, fmt::join(header_, ", ")));
}

double CsvTable::number(size_t row, size_t col) const {
  const std::string& s = rows_[row][col];
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    throw InputError(fmt::format("{}:{}: column {}: '{}' is not a number", path_.string(), row + 2, header_[col], s));
  }
  return v;
}

}  // namespace sp
