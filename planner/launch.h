// Launch commands for the serving engines, using each engine's own flags (docs/planner.md
// lists them with the documentation they were checked against), and the reverse: reading a
// command back into a deployment, so tests can check that what we print is what we planned.
#pragma once

#include <string>
#include <string_view>

#include "planner/plan_file.h"
#include "sim/serving/engine_preset.h"

namespace sp {

// The Hugging Face repository of a bundled model, or the model path's folder for a config.json
// the user gave by path.
std::string model_repo(std::string_view model);

// One command line for the whole deployment. Multi-node deployments add the engine's node
// flags with placeholders (<HEAD_IP>, <NODE_RANK>) to fill in per node.
std::string launch_command(Engine e, const PlanFile& p);

// What a launch command sets; the fields it does not set keep their defaults.
struct LaunchSettings {
  ParallelConfig parallel;
  bool expert_parallel = false;   // vLLM's --enable-expert-parallel
  int64_t max_num_seqs = 0;
  int64_t max_num_batched_tokens = 0;
  int64_t max_model_len = 0;
  double gpu_memory_utilization = 0;
};
// Reads a command printed by launch_command; throws InputError on a flag it does not know.
LaunchSettings launch_parse(Engine e, std::string_view command);

}  // namespace sp
