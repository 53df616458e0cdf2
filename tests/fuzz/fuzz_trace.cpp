// Fuzz target: a request trace (our CSV or the Azure LLM inference trace), as --trace reads it.
#include "sim/serving/workload.h"
#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sp;
  return fuzz::run(data, size, [](std::string_view text) {
    const std::vector<Request> reqs = trace_parse(text, "trace.csv");
    FUZZ_CHECK(!reqs.empty());
    for (size_t i = 0; i < reqs.size(); ++i) {
      const Request& r = reqs[i];
      FUZZ_CHECK(r.id == int64_t(i) && r.arrival_ns >= 0);
      FUZZ_CHECK(i == 0 || reqs[i - 1].arrival_ns <= r.arrival_ns);
      FUZZ_CHECK(r.input_tokens >= 1 && r.input_tokens <= kMaxLengthTokens);
      FUZZ_CHECK(r.output_tokens >= 1 && r.output_tokens <= kMaxLengthTokens);
    }
  });
}
