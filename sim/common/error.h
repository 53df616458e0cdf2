// Error kinds of shardplan (STYLE habit 11):
//  - bugs: SP_ASSERT, which prints file:line and aborts;
//  - bad input: InputError, a typed exception carrying where (file, JSON pointer, flag) and a hint;
//  - predicted infeasibility (OOM, too-long request) is a *result* with a reason, never an exception.
// Only cli/ turns an exception into one line and an exit code; libraries never exit().
#pragma once

#include <stdexcept>
#include <string>

namespace sp {

// Bad input from a user or a file: the message is one line saying what, where and how to fix.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] void assert_fail(const char* cond, const char* msg, const char* file, int line);

}  // namespace sp

#define SP_ASSERT(cond, msg) ((cond) ? (void)0 : ::sp::assert_fail(#cond, (msg), __FILE__, __LINE__))
