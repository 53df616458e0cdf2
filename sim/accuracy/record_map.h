// Which shardplan prediction answers a published record, or why none does. Pure: no I/O.
//
// Offline throughput (trtllm-bench: every request queued at t=0, fixed lengths) is simulated;
// static-batch throughput and batch-1 TTFT come from the analytic estimate; collective time
// and bus bandwidth from the collective model. docs/accuracy.md lists the rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/accuracy/published.h"
#include "sim/common/dtype.h"
#include "sim/cost/collective.h"
#include "sim/parallel/parallel_config.h"
#include "sim/serving/engine_preset.h"

namespace sp {

enum class Family { offline_throughput, static_throughput, latency, collective };
std::string_view family_name(Family f);

enum class TaskKind {
  offline,          // simulate: output tokens/s of the whole deployment
  static_batch,     // estimate: B * output_len / e2e
  ttft,             // estimate: time to first token of a batch, ms
  collective_time,  // collective: ms
  busbw,            // collective: nccl-tests bus bandwidth at one size, GB/s
  busbw_peak,       // collective: the highest bus bandwidth over sizes 64 KiB to 16 GiB, GB/s
};

struct RecordTask {
  TaskKind kind = TaskKind::offline;
  Family family = Family::offline_throughput;
  std::string system;          // bundled system, e.g. "dgx-h100"
  Engine engine = Engine::vllm;
  // Model tasks.
  std::string model;           // bundled model, e.g. "llama-3.1-70b"
  ParallelConfig parallel;
  Precision precision;
  int64_t input_len = 0, output_len = 0, batch = 0;
  double per_gpus = 1;         // the record is per GPU: divide the deployment's figure by this
  // Collective tasks: `ranks_per_node` ranks on each of `nodes` nodes.
  Collective op = Collective::allreduce;
  double bytes = 0;
  int nodes = 1;
  int ranks_per_node = 1;
};

struct RecordMapping {
  std::optional<RecordTask> task;
  std::string reason;          // why there is no task (model or GPU not bundled, metric not predicted, ...)
};

RecordMapping record_map(const PublishedRecord& r);

// "32KiB", "1MiB", "16GiB", "4096": bytes, or nullopt when the text is not one size.
std::optional<double> size_parse(std::string_view s);

}  // namespace sp
