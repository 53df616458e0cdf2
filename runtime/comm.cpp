#include "runtime/comm.h"

#include <algorithm>

#include "sim/common/error.h"

namespace sp {

void NullComm::all_gather(std::span<const float> in, std::span<float> out) {
  SP_ASSERT(out.size() == in.size() * size_t(tp_), "all_gather: output is not tp_size * input");
  for (int i = 0; i < tp_; ++i) std::copy(in.begin(), in.end(), out.begin() + ptrdiff_t(size_t(i) * in.size()));
}

void NullComm::recv(std::span<std::byte> data, int, int) { std::fill(data.begin(), data.end(), std::byte{0}); }

}  // namespace sp
