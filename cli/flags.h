// Flags shared by the commands that describe a deployment, declared once.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "sim/common/dtype.h"
#include "sim/cost/memory.h"
#include "sim/hardware/system_profile.h"
#include "sim/model/model_config.h"
#include "sim/parallel/parallel_config.h"
#include "sim/serving/engine_preset.h"

namespace sp::cli {

enum class Format { table, json };

struct DeploymentFlags {
  std::string model;
  std::string hardware;
  int nodes = 1;
  ParallelConfig parallel;
  std::string dtype = "bf16";
  std::string kv_dtype = "bf16";
  MemoryOptions memory;
  std::string engine = "vllm";
  std::string format = "table";
  // Set by add_deployment_flags: whether the user gave the budgets (else the engine's apply).
  CLI::Option* max_num_seqs_opt = nullptr;
  CLI::Option* max_num_batched_tokens_opt = nullptr;
  CLI::Option* gpu_memory_utilization_opt = nullptr;
};

void add_deployment_flags(CLI::App* cmd, DeploymentFlags& f);
void add_format_flag(CLI::App* cmd, std::string& format);

// Resolved inputs; throws InputError with the flag's name on bad values.
struct Deployment {
  ModelConfig model;
  Cluster cluster;
  ParallelConfig parallel;
  Precision precision;
  MemoryOptions memory;         // budgets: the flags where given, else the engine preset's
  EnginePreset engine;
  Format format = Format::table;
};
Deployment resolve(const DeploymentFlags& f);
Format parse_format(const std::string& s);

// --backend of calibrate and validate: "cpu" runs; "cuda" is refused in one line (exit 2) that
// says why, since the runtime has no CUDA backend yet; anything else is a usage error.
void backend_check(const std::string& backend);

}  // namespace sp::cli
