// Runs a command line through the shell for tests: exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace sp::test {

struct Run {
  int code = -1;
  std::string out, err;
};

inline Run run_command(const std::string& cmd) {
  auto err_path = std::filesystem::temp_directory_path() / ("shardplan_test_err_" + std::to_string(::getpid()));
  Run r;
  FILE* p = popen((cmd + " 2>" + err_path.string()).c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_path);
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  std::filesystem::remove(err_path);
  return r;
}

}  // namespace sp::test
