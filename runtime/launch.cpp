#include "runtime/launch.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <fmt/format.h>

namespace sp {

namespace {

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q.append("'\\''");
    else q.push_back(c);
  }
  q.push_back('\'');
  return q;
}

}  // namespace

std::string runtime_binary() {
  if (const char* env = std::getenv("SHARDPLAN_RUN"); env != nullptr && *env != '\0') return env;
  return SHARDPLAN_RUN_BIN;
}

std::string mpi_launch_command(const MpiLaunch& l) {
  std::string cmd = fmt::format("{} -np {}", SHARDPLAN_MPIEXEC, l.np);
  // More ranks than cores distorts timings; allowed, but only when asked for that many.
  if (l.np > int(std::thread::hardware_concurrency())) cmd += " --oversubscribe";
  // OpenMPI refuses to run as root unless told; the runtime needs no privileges either way.
  if (::geteuid() == 0) cmd += " --allow-run-as-root";
  cmd.push_back(' ');
  cmd += quoted(runtime_binary());
  for (const auto& a : l.args) {
    cmd.push_back(' ');
    cmd += quoted(a);
  }
  return cmd;
}

LaunchResult mpi_launch(const MpiLaunch& l) {
  return shell_run(fmt::format("timeout -k 5 {:.0f} {}", l.timeout_s, mpi_launch_command(l)));
}

LaunchResult shell_run(const std::string& command) {
  const auto err_path = std::filesystem::temp_directory_path() / fmt::format("shardplan_shell_err_{}", ::getpid());
  const std::string cmd = fmt::format("{} 2>{}", command, quoted(err_path.string()));
  LaunchResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    r.err = "could not start the shell";
    return r;
  }
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  std::ifstream e(err_path);
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  std::filesystem::remove(err_path);
  return r;
}

}  // namespace sp
