#include "sim/common/dtype.h"

#include <fmt/format.h>

#include "sim/common/error.h"

namespace sp {

DType dtype_parse(std::string_view s, std::string_view flag) {
  if (s == "bf16" || s == "bfloat16") return DType::bf16;
  if (s == "fp8" || s == "float8") return DType::fp8;
  throw InputError(fmt::format("{}: unknown precision '{}' (use bf16 or fp8)", flag, message_quote(s)));
}

}  // namespace sp
