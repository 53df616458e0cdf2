// Error kinds of shardplan (STYLE habit 11):
//  - bugs: SP_ASSERT, which throws InternalError carrying file:line; the CLI prints it as one line
//    with a bug-report hint and exits 3 (docs/cli.md), tests and fuzz targets see a typed failure;
//  - bad input: InputError, a typed exception carrying where (file, JSON pointer, flag) and a hint;
//  - predicted infeasibility (OOM, too-long request) is a *result* with a reason, never an exception.
// Only cli/ turns an exception into one line and an exit code; libraries never exit().
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sp {

// Bad input from a user or a file: the message is one line saying what, where and how to fix.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A broken invariant inside shardplan: never the user's fault. The message is
// "FILE:LINE: assertion 'COND' failed: MSG".
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void assert_fail(const char* cond, const char* msg, const char* file, int line);

// Text from a file or a flag, made safe to quote inside a one-line message: control characters
// (a newline inside a JSON string, a stray '\r') are escaped as \n, \r, \t or \xHH, and text
// longer than `max_bytes` is cut with "..." so a 1 MB field does not become a 1 MB error line.
std::string message_quote(std::string_view text, size_t max_bytes = 80);

}  // namespace sp

#define SP_ASSERT(cond, msg) ((cond) ? (void)0 : ::sp::assert_fail(#cond, (msg), __FILE__, __LINE__))
