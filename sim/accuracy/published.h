// Measurements others published (shared/data/validation/published-dev.json): one record per
// figure, with its hardware, model, split, precision, workload and metric. The format is not
// ours, so it is read leniently (keys we do not use are ignored), but every field we use is
// type-checked and a bad one names the record and the key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sp {

struct PublishedRecord {
  std::string id;               // e.g. "trtllm015-llama-3-1-70b-h100_fp8-tp2-128-128"
  std::string gpu_key;          // e.g. "H100-SXM", "A100-80GB (form factor not stated)"
  int gpu_count = 0;            // GPUs of the measurement
  std::string interconnect;     // free text, e.g. "2 nodes x 8 GPUs; ..."
  std::string model;            // e.g. "Llama 3.1 70B"; empty for collectives
  std::optional<int> tp, pp, dp, ep;
  std::string precision;        // e.g. "FP8", "Mixed (16-bit, as labelled)"
  std::optional<int64_t> input_len, output_len, batch;
  std::string concurrency;      // e.g. "unbounded (infinite request rate)"; empty when absent
  std::string collective;       // e.g. "all_reduce", "send_recv"
  std::string message_size;     // as written, e.g. "32KiB", "peak over 64KiB-4GiB sweep"
  std::optional<double> message_size_bytes;
  std::string framework;        // e.g. "TensorRT-LLM 0.15.0 (trtllm-bench; ...)", "NCCL"
  std::string metric;           // e.g. "output_throughput_total", "ttft", "allreduce_busbw"
  std::string unit;             // e.g. "tokens/s", "ms", "GB/s", "tokens/s/GPU"
  double value = 0;
  std::vector<std::string> tags;

  bool has_tag(std::string_view t) const;
};

// Throws InputError ("FILE: /3/metric/name: ...") on a malformed file or record.
std::vector<PublishedRecord> published_load(const std::filesystem::path& path);

}  // namespace sp
