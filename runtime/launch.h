// Starting shardplan-run under mpirun from a library call (calibrate and validate): the
// command line, the root opt-in, oversubscription only beyond the core count, and a wall-clock
// limit so a stuck job cannot hang the caller.
#pragma once

#include <string>
#include <vector>

namespace sp {

struct MpiLaunch {
  int np = 1;
  std::vector<std::string> args;  // arguments of shardplan-run
  double timeout_s = 600;         // the whole job, start-up included
};

struct LaunchResult {
  int code = -1;     // exit code of mpirun; 124 when the time limit stopped it
  std::string out;   // stdout
  std::string err;   // stderr
};

// The shardplan-run binary: $SHARDPLAN_RUN when set, else the one built beside this library.
std::string runtime_binary();
// The shell command mpi_launch runs (without redirections), for reports.
std::string mpi_launch_command(const MpiLaunch& l);
LaunchResult mpi_launch(const MpiLaunch& l);
// Runs a shell command line, capturing stdout and stderr.
LaunchResult shell_run(const std::string& cmd);

}  // namespace sp
