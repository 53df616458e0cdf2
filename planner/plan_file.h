// plan.json: the deployment the planner recommends, in the form the runtime executes and
// `validate` re-simulates. It names its inputs (model, hardware) as the user gave them, so a
// plan written on a laptop runs on the cluster that has the same bundled names or paths.
//
// Schema version 1 (docs/formats.md, "plan.json"):
//   {"schema_version":1, "kind":"shardplan-plan",
//    "model":"llama-3.1-70b", "hardware":"dgx-h100", "nodes":1, "engine":"vllm",
//    "precision":{"weights":"bf16","kv":"bf16"},
//    "parallel":{"tp":4,"pp":2,"dp":1,"ep":1},
//    "placement":[{"rank":0,"replica":0,"stage":0,"tp_rank":0,"node":0,"gpu":0}, ...],
//    "batch":{"scheduler":"continuous","max_num_seqs":256,"max_num_batched_tokens":8192,
//             "microbatches":2,"gpu_memory_utilization":0.9,"max_model_len":8192},
//    "workload":{"input_len":"1024","output_len":"256","num_requests":256,"arrival":"offline",
//                "request_rate":0,"concurrency":0,"trace":"","seed":0},
//    "prediction":{...}}   // the planner's simulated figures; readers treat it as opaque
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/parallel/parallel_config.h"

namespace sp {

inline constexpr int kPlanSchemaVersion = 1;

struct PlacedRank {
  int rank = 0;
  int replica = 0;
  int stage = 0;
  int tp_rank = 0;
  int node = 0;
  int gpu = 0;  // index within its node
};

struct PlanBatch {
  std::string scheduler = "continuous";    // continuous or static
  int64_t max_num_seqs = 256;
  int64_t max_num_batched_tokens = 8192;
  int microbatches = 0;                    // batches in flight per replica; 0 = one per stage
  double gpu_memory_utilization = 0.9;     // of each GPU's memory (vLLM's and SGLang's meaning)
  int64_t max_model_len = 0;               // 0 = the model's maximum
  // The same KV memory in TensorRT-LLM's terms: the fraction of what weights, activations and
  // runtime leave (kv_cache_free_gpu_memory_fraction); 0 = not known (an older plan.json).
  double kv_cache_free_fraction = 0;
};

struct PlanWorkload {
  std::string input_len = "1024";          // length distributions as the CLI spells them
  std::string output_len = "256";
  int64_t num_requests = 256;
  std::string arrival = "offline";         // offline, poisson, closed_loop or trace
  double request_rate = 0;                 // poisson
  int64_t concurrency = 0;                 // closed_loop
  std::string trace;                       // trace
  uint64_t seed = 0;
};

struct PlanFile {
  std::string model;
  std::string hardware;
  int nodes = 1;
  std::string engine = "vllm";
  std::string dtype = "bf16";
  std::string kv_dtype = "bf16";
  ParallelConfig parallel;
  std::vector<PlacedRank> placement;       // one entry per rank, rank order
  PlanBatch batch;
  PlanWorkload workload;
  nlohmann::json prediction = nlohmann::json::object();
};

// Placement of every rank when GPU id = rank (TP innermost, so a TP group stays in a node
// whenever tp divides the GPUs per node).
std::vector<PlacedRank> placement_make(const ParallelConfig& pc, int gpus_per_node);

nlohmann::json plan_to_json(const PlanFile& p);
// Strict: unknown keys, a wrong schema_version or a placement that disagrees with the
// parallel split are InputErrors naming `origin` and the JSON pointer.
PlanFile plan_from_json(const nlohmann::json& j, const std::string& origin);
PlanFile plan_load(const std::filesystem::path& path);
// Writes atomically enough for scripts: a temporary file renamed over `path`.
void plan_save(const PlanFile& p, const std::filesystem::path& path);

}  // namespace sp
