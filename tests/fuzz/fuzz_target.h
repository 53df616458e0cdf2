// What every fuzz target shares: the rule for what counts as a finding.
//
// A fuzz target hands arbitrary bytes to one reader of shardplan. The reader may answer with
// InputError (a bad input, the expected outcome for most inputs), whose message must be one
// non-empty line because the CLI prints it as one; everything else is a finding and aborts so
// that libFuzzer (or the corpus replay under ctest) reports it: InternalError (SP_ASSERT), any
// other exception, a failed FUZZ_CHECK, and whatever the sanitizers catch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "sim/common/error.h"

namespace sp::fuzz {

[[noreturn]] inline void finding(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz finding: %s: %.*s\n", what, int(detail.size()), detail.data());
  std::abort();
}

// A property of a successful read that must hold, e.g. FUZZ_CHECK(m.hidden >= 1).
#define FUZZ_CHECK(cond) ((cond) ? (void)0 : ::sp::fuzz::finding("check failed", #cond))

template <class Body>
int run(const uint8_t* data, size_t size, Body body) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    body(text);
  } catch (const InputError& e) {
    const std::string_view msg = e.what();
    if (msg.empty() || msg.find('\n') != std::string_view::npos || msg.find('\r') != std::string_view::npos) {
      finding("InputError message is not one line", msg);
    }
  } catch (const InternalError& e) {
    finding("internal error", e.what());
  } catch (const std::exception& e) {
    finding("unexpected exception", e.what());
  }
  return 0;
}

}  // namespace sp::fuzz
