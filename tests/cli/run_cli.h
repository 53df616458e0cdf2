// Runs the shardplan binary as a user's shell would and captures what it says: the CLI test
// suites (cli, bad_inputs, determinism) share it.
#pragma once

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace sp::test {

struct Run {
  int code = -1;  // exit status; -1 when killed by a signal
  std::string out, err;
};

// `args` go through /bin/sh, so quoting works; environment settings go in `env` ("A=1 B=2").
inline Run run(const std::string& args, const std::string& env = "") {
  static int calls = 0;
  auto err_path = std::filesystem::temp_directory_path() /
                  ("shardplan_test_err_" + std::to_string(::getpid()) + "_" + std::to_string(calls++));
  std::string cmd = (env.empty() ? "" : "env " + env + " ") + std::string(SHARDPLAN_BIN) + " " + args + " 2>" +
                    err_path.string();
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

}  // namespace sp::test
