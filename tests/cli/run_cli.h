// Runs the shardplan binary as a user would: exit code, stdout and stderr apart.
#pragma once

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace shardplan_test {

struct Run {
  int code = -1;
  std::string out, err;
};

inline Run run(const std::string& args) {
  auto dir = std::filesystem::temp_directory_path();
  auto err_path = dir / ("shardplan_test_err_" + std::to_string(::getpid()));
  std::string cmd = std::string(SHARDPLAN_BIN) + " " + args + " 2>" + err_path.string();
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_path);
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  std::filesystem::remove(err_path);
  return r;
}

inline int lines(const std::string& s) { return int(std::count(s.begin(), s.end(), '\n')); }

}  // namespace shardplan_test
