// The subcommands. Each registers its flags and returns a runner that gives the exit code:
// 0 ok, 1 infeasible (the result is still printed), 2 bad input or usage, 3 internal error.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace sp::cli {

enum Exit : int { kOk = 0, kInfeasible = 1, kBadInput = 2, kInternal = 3 };

using Runner = std::function<int()>;

Runner add_memory_command(CLI::App& app);
Runner add_estimate_command(CLI::App& app);
Runner add_collective_command(CLI::App& app);
Runner add_simulate_command(CLI::App& app);
Runner add_plan_command(CLI::App& app);
Runner add_sweep_command(CLI::App& app);
Runner add_accuracy_command(CLI::App& app);
Runner add_calibrate_command(CLI::App& app);
Runner add_validate_command(CLI::App& app);

// Prints a result to stdout and, when infeasible, one line on stderr; returns the exit code.
int emit(const std::string& text, bool feasible, const std::string& reason);

}  // namespace sp::cli
