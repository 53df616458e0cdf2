// Fuzz target: a length distribution as --input-len and --output-len take it ("512",
// "uniform:128:1024", "lognormal:512:256"), then 64 requests drawn from it, whose lengths must
// respect the bounds the spec and the context length impose.
#include "sim/serving/workload.h"
#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sp;
  return fuzz::run(data, size, [](std::string_view text) {
    WorkloadSpec w;
    w.input = length_dist_parse(text, "--input-len");
    w.num_requests = 64;
    w.max_len = 100'000;
    w.seed = text.size();
    for (const Request& r : workload_generate(w)) {
      FUZZ_CHECK(r.input_tokens >= 1 && r.input_tokens <= w.max_len);
      FUZZ_CHECK(w.input.kind != LengthKind::fixed || r.input_tokens == std::min<int64_t>(int64_t(w.input.a), w.max_len));
      FUZZ_CHECK(w.input.kind != LengthKind::uniform ||
                 (r.input_tokens >= std::min<int64_t>(int64_t(w.input.a), w.max_len) &&
                  r.input_tokens <= std::min<int64_t>(int64_t(w.input.b), w.max_len)));
    }
  });
}
