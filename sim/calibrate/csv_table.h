// A CSV file with a header row, read into memory; columns are looked up by name, because the
// measured tables order their columns differently per backend (shared/data/silicon/README.md).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sp {

class CsvTable {
 public:
  // Throws InputError "FILE: no such file" or "FILE:LINE: expected N fields, found M".
  explicit CsvTable(const std::filesystem::path& path);

  size_t rows() const { return rows_.size(); }
  // Index of a column; throws InputError naming the file and the columns it has.
  size_t column(std::string_view name) const;
  bool has_column(std::string_view name) const;
  const std::string& text(size_t row, size_t col) const { return rows_[row][col]; }
  // Throws InputError "FILE:LINE: column C: 'x' is not a number".
  double number(size_t row, size_t col) const;

 private:
  std::filesystem::path path_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace sp
