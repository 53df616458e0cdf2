// The requests a serving simulation replays: prompt and output lengths and arrival times.
//
// Synthetic workloads are drawn from length distributions and an arrival process (offline,
// closed loop, Poisson); real ones are read from a CSV trace, either our own
// `arrival_s,input_tokens,output_tokens` or the Azure LLM inference trace 2023 format.
// Generation is deterministic across platforms: the same spec and seed give the same vector,
// because every random transform is written here rather than taken from <random>'s
// distributions, whose output the standard leaves to each library.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sp {

// One request as the simulator sees it; 24 bytes, so 1e6 requests fit easily.
struct Request {
  int64_t arrival_ns = 0;  // arrival time, simulated ns
  int32_t input_tokens = 0;
  int32_t output_tokens = 0;
  int64_t id = 0;  // 0..n-1 in arrival order

  friend bool operator==(const Request&, const Request&) = default;
};
static_assert(sizeof(Request) == 24, "Request is meant to stay small: a million of them are 24 MB");

// Lengths accepted anywhere a length is read (flags, traces, distributions): 1 to 2^24 tokens.
inline constexpr int64_t kMaxLengthTokens = int64_t(1) << 24;
inline constexpr int64_t kMaxRequests = 10'000'000;  // 0.24 GB of requests; docs/reliability.md

enum class LengthKind { fixed, uniform, normal, lognormal };

// fixed: a tokens; uniform: every integer in [a, b] equally likely; normal and lognormal: mean a
// and standard deviation b of the lengths themselves (lognormal converts them to the mu and sigma
// of the underlying normal). Samples are rounded to the nearest integer, then clamped.
struct LengthDist {
  LengthKind kind = LengthKind::fixed;
  double a = 0, b = 0;
};

// Parses "512", "uniform:128:1024", "normal:512:128", "lognormal:512:256". N, MIN, MAX and MEAN must
// be in [1, 2^24] (N, MIN and MAX whole numbers, MIN <= MAX), SD in [0, 2^24]. Throws InputError
// naming `flag`, e.g. "--input-len: 'uniform:5' is not a length (use N, uniform:MIN:MAX, ...)".
LengthDist length_dist_parse(std::string_view spec, std::string_view flag);

enum class Arrival { offline, closed_loop, poisson, trace };

struct WorkloadSpec {
  LengthDist input{LengthKind::fixed, 1024, 0};
  LengthDist output{LengthKind::fixed, 256, 0};
  int64_t num_requests = 256;  // 1 to kMaxRequests; for a trace 0 means every row
  Arrival arrival = Arrival::offline;
  double rate_per_s = 0;    // poisson: mean requests per simulated second
  int64_t concurrency = 0;  // closed loop (the simulator gates arrivals; generated arrival_ns are all 0)
  std::string trace_path;   // trace
  uint64_t seed = 0;
  int64_t max_len = kMaxLengthTokens;  // >= 1; lengths, the trace's too, are clamped to [1, min(max_len, 2^24)]
};

// Throws InputError on a bad spec: poisson rate not > 0, num_requests outside [1, kMaxRequests] (0 allowed for
// a trace), closed-loop concurrency < 1, a length distribution out of range, Poisson arrivals past
// int64 ns. Messages name the `shardplan simulate` flags (--request-rate, --num-requests, ...).
// Input lengths, output lengths and arrivals come from three independent streams derived from the
// seed, so changing the rate (say) leaves the lengths of the same seed untouched.
std::vector<Request> workload_generate(const WorkloadSpec& spec);

// Reads a CSV trace with header `arrival_s,input_tokens,output_tokens` (arrival in seconds, kept as
// given) or the Azure LLM inference trace header `TIMESTAMP,ContextTokens,GeneratedTokens`
// (TIMESTAMP like "2023-11-16 18:15:46.6805900", made relative to the earliest row kept).
// `max_requests` > 0 keeps only the first that many data rows of the file (the rest is not read).
// Rows are then sorted by arrival (stable) and ids assigned 0..n-1. Errors are InputError
// "FILE:LINE:COL: ..." saying what was expected and what was found; a missing file is "FILE: no such file".
std::vector<Request> trace_load(const std::filesystem::path& path, int64_t max_requests = 0);
// The same, from text already in memory; `origin` names it in messages (e.g. the path).
std::vector<Request> trace_parse(std::string_view text, std::string_view origin, int64_t max_requests = 0);
// Larger trace files are refused before they are read (the whole file is held in memory).
inline constexpr uint64_t kMaxTraceBytes = uint64_t(2) << 30;  // 2 GiB

}  // namespace sp
