// shardplan: plan, simulate and check parallel LLM inference. This file only wires the
// subcommands and turns errors into one line and an exit code (docs/cli.md lists them).
#include <cstdio>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "sim/common/error.h"

namespace sp::cli {

int emit(const std::string& text, bool feasible, const std::string& reason) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  if (!feasible) {
    fmt::print(stderr, "shardplan: infeasible: {}\n", reason);
    return kInfeasible;
  }
  return kOk;
}

}  // namespace sp::cli

int main(int argc, char** argv) {
  using namespace sp::cli;
  CLI::App app{"shardplan: plan, simulate and check tensor/pipeline/data/expert-parallel LLM inference"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "shardplan 0.1.0");
  std::map<std::string, Runner> runners;
  runners["memory"] = add_memory_command(app);
  runners["estimate"] = add_estimate_command(app);
  runners["collective"] = add_collective_command(app);
  runners["simulate"] = add_simulate_command(app);
  runners["accuracy"] = add_accuracy_command(app);
  runners["calibrate"] = add_calibrate_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line: CLI11's message plus where to look.
    fmt::print(stderr, "shardplan: error: {} (run 'shardplan --help' or 'shardplan COMMAND --help')\n", e.what());
    return kBadInput;
  }
  try {
    for (auto* sub : app.get_subcommands()) return runners.at(sub->get_name())();
    return kBadInput;
  } catch (const sp::InputError& e) {
    fmt::print(stderr, "shardplan: error: {}\n", e.what());
    return kBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "shardplan: internal error: {} (a bug: please report it with the command line)\n", e.what());
    return kInternal;
  }
}
