// shardplan: plan, simulate and check parallel LLM inference. This file only wires the
// subcommands and turns errors into one line and an exit code (docs/cli.md lists them).
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <map>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "sim/common/error.h"

namespace sp::cli {

namespace {
// Longer messages are cut: one line of stderr, not a dump of some input.
constexpr size_t kMaxMessageBytes = 4000;
}  // namespace

int emit(const std::string& text, bool feasible, const std::string& reason) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  if (!feasible) {
    fmt::print(stderr, "shardplan: infeasible: {}\n", message_quote(reason, kMaxMessageBytes));
    return kInfeasible;
  }
  return kOk;
}

namespace {

constexpr const char* kBugHint = "(a bug: please report it with the command line)";

void internal_error_print(const char* what) {
  fmt::print(stderr, "shardplan: internal error: {} {}\n", sp::message_quote(what, kMaxMessageBytes), kBugHint);
}

// Whatever escapes the handlers in main (an exception thrown through a noexcept function, a
// destructor that throws) still ends as one line and exit 3 rather than an abort.
[[noreturn]] void on_terminate() {
  std::string what = "std::terminate called";
  if (auto e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      what = std::string("uncaught exception: ") + x.what();
    } catch (...) {
      what = "uncaught exception of unknown type";
    }
  }
  internal_error_print(what.c_str());
  std::fflush(stdout);
  std::_Exit(kInternal);
}

#if defined(__SANITIZE_ADDRESS__)
#define SHARDPLAN_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SHARDPLAN_SANITIZED 1
#endif
#endif

// A crash is a bug too: one line and exit 3. Only async-signal-safe calls here. Sanitizer builds
// keep their own handlers, whose reports say more.
extern "C" void on_fatal_signal(int sig) {
  const char* name = sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : sig == SIGFPE ? "SIGFPE" : "SIGILL";
  const char* parts[] = {"shardplan: internal error: fatal signal ", name, " ", kBugHint, "\n"};
  for (const char* p : parts) {
    if (::write(STDERR_FILENO, p, std::strlen(p)) < 0) break;
  }
  std::_Exit(kInternal);
}

void internal_error_handlers_install() {
  std::set_terminate(on_terminate);
#ifndef SHARDPLAN_SANITIZED
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, on_fatal_signal);
#endif
}

// Tests prove the exit-3 paths without a real bug: SHARDPLAN_TEST_INTERNAL_ERROR=assert, exception,
// terminate or signal makes the command fail that way once its flags are parsed (docs/cli.md).
void test_internal_error_maybe() {
  const char* kind = std::getenv("SHARDPLAN_TEST_INTERNAL_ERROR");
  if (kind == nullptr) return;
  const std::string k = kind;
  if (k == "assert") SP_ASSERT(false, "raised by SHARDPLAN_TEST_INTERNAL_ERROR");
  if (k == "exception") throw std::out_of_range("raised by SHARDPLAN_TEST_INTERNAL_ERROR");
  if (k == "terminate") std::terminate();
  if (k == "signal") std::raise(SIGSEGV);
}

}  // namespace

}  // namespace sp::cli

int main(int argc, char** argv) {
  using namespace sp::cli;
  internal_error_handlers_install();
  CLI::App app{"shardplan: plan, simulate and check tensor/pipeline/data/expert-parallel LLM inference"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "shardplan 0.1.0");
  std::map<std::string, Runner> runners;
  runners["memory"] = add_memory_command(app);
  runners["estimate"] = add_estimate_command(app);
  runners["collective"] = add_collective_command(app);
  runners["simulate"] = add_simulate_command(app);
  runners["plan"] = add_plan_command(app);
  runners["sweep"] = add_sweep_command(app);
  runners["accuracy"] = add_accuracy_command(app);
  runners["calibrate"] = add_calibrate_command(app);
  runners["validate"] = add_validate_command(app);

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
    fmt::print(stderr, "shardplan: error: {} (run 'shardplan --help' or 'shardplan COMMAND --help')\n",
               sp::message_quote(e.what(), kMaxMessageBytes));
    return kBadInput;
  }
  try {
    test_internal_error_maybe();
    for (auto* sub : app.get_subcommands()) return runners.at(sub->get_name())();
    return kBadInput;
  } catch (const sp::InputError& e) {
    // Messages quote flags and file contents; escaping keeps even a hostile one on one line.
    fmt::print(stderr, "shardplan: error: {}\n", sp::message_quote(e.what(), kMaxMessageBytes));
    return kBadInput;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "shardplan: error: out of memory; the inputs ask for more than this machine has (docs/reliability.md lists the limits)\n");
    return kBadInput;
  } catch (const std::exception& e) {
    internal_error_print(e.what());
    return kInternal;
  } catch (...) {
    internal_error_print("exception of unknown type");
    return kInternal;
  }
}
