#include "sim/common/error.h"

#include <fmt/format.h>

namespace sp {

void assert_fail(const char* cond, const char* msg, const char* file, int line) {
  throw InternalError(fmt::format("{}:{}: assertion '{}' failed: {}", file, line, cond, msg));
}

std::string message_quote(std::string_view text, size_t max_bytes) {
  std::string out;
  const bool cut = text.size() > max_bytes;
  if (cut) {
    text = text.substr(0, max_bytes);
    // Do not end inside a UTF-8 sequence: drop its continuation bytes, then its lead byte.
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.remove_suffix(1);
    if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) text.remove_suffix(1);
  }
  for (unsigned char c : text) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        // Bytes >= 0x80 are kept: they are UTF-8 in any file we expect, and terminals show them.
        if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
        else out += char(c);
    }
  }
  if (cut) out += "...";
  return out;
}

}  // namespace sp
