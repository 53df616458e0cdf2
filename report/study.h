// The TP-vs-PP study: for each model and system of a scenario file, TP-only, PP-only and hybrid
// splits over the same GPUs, simulated at batch 1 and at saturation, with the PP bubble against
// the batches in flight and the splits that hold one long-context request. Every number comes
// from the planner's evaluation (cost model + discrete-event simulator) run here.
//
//   {"schema_version": 1, "name": "tp-vs-pp",
//    "models": ["llama-3.1-70b", "llama-3.1-405b"],
//    "systems": [{"hardware": "dgx-h100", "nodes": [1, 2, 4]}, {"hardware": "h100-pcie", "nodes": [1]}],
//    "input_len": 1024, "output_len": 128, "saturation_requests": 256,
//    "max_num_seqs": 256, "max_num_batched_tokens": 8192,
//    "inflight_per_stage": [1, 2, 4], "long_context": 131072, "dtype": "bf16"}
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sp::report {

struct StudySystem {
  std::string hardware{};
  std::vector<int> nodes{};
};

struct StudySpec {
  std::string name{}, description{};
  std::vector<std::string> models{};
  std::vector<StudySystem> systems{};
  int64_t input_len = 1024, output_len = 128;
  int64_t saturation_requests = 256;          // offline: all arrive at t = 0
  int64_t max_num_seqs = 256, max_num_batched_tokens = 8192;
  std::vector<int> inflight_per_stage = {1, 2, 4};  // PP-only: batches in flight = k * pp
  int64_t long_context = 131072;              // tokens of the one request claim 8 asks to fit
  std::string dtype = "bf16";
};

// Strict: unknown keys and out-of-range values are InputErrors naming `origin` and the JSON pointer.
StudySpec study_from_json(const nlohmann::json& j, const std::string& origin);
StudySpec study_load(const std::filesystem::path& path);

// One model on one system and node count: the splits are compared within it.
struct StudyGroup {
  std::string model{}, hardware{};
  int nodes = 1;
  bool pcie = false;  // the intra-node fabric is PCIe (else NVLink/NVSwitch)
  std::string name() const;  // "llama-3.1-70b on 2 x dgx-h100"
};

struct SplitResult {
  StudyGroup group{};
  int tp = 1, pp = 1;
  bool cross_node_tp = false;
  bool fits = false;
  std::string why_not{};           // when it does not fit or the split is invalid
  // Batch 1: one request alone.
  double b1_ttft_ms = 0, b1_tpot_ms = 0, b1_e2e_ms = 0;
  // Saturation: saturation_requests at once, one batch in flight per stage.
  double sat_tok_s = 0;          // output tokens/s, whole deployment
  double sat_e2e_p50_ms = 0;
  double bytes_per_token = 0;    // bytes moved between GPUs (collectives + hand-offs) per output token
  double comm_fraction = 0;      // of GPU busy time
  double bubble = 0;             // simulated PP bubble fraction
  // Fullest GPU (weights + activations + overhead), GiB.
  double weights_gib = 0, activations_gib = 0, overhead_gib = 0, kv_gib = 0, capacity_gib = 0;
  // The cost model's split of one saturated batch's time (estimate).
  double compute_s = 0, memory_s = 0, comm_s = 0, overhead_s = 0;
  int gpus() const { return tp * pp; }
  std::string label() const;     // "tp4 pp2"
};

struct BubblePoint {
  StudyGroup group{};
  int tp = 1, pp = 1;
  int inflight_per_stage = 1;
  double bubble = 0;
  double tok_s = 0;
};

struct LongContextFit {
  StudyGroup group{};
  int tp = 1, pp = 1;
  bool fits = false;
  int64_t kv_tokens = 0;         // KV capacity of the replica
};

struct HeadsRow {
  std::string model{};
  int heads = 0, kv_heads = 0;
  int tp = 1;
  bool divides_heads = false;
  bool kv_rule = false;          // kv_heads % tp == 0 or tp % kv_heads == 0
  bool allowed = false;          // the feasibility rule the planner applies
  double kv_bytes_per_token_per_gpu = 0;  // all layers; 0 when not allowed
};

struct StudyResult {
  StudySpec spec{};
  std::vector<StudyGroup> groups{};
  std::vector<SplitResult> splits{};
  std::vector<BubblePoint> bubbles{};
  std::vector<LongContextFit> long_context{};
  std::vector<HeadsRow> heads{};
  std::vector<std::pair<std::string, double>> model_weights_gib{};  // whole model, one copy
  double wall_s = 0;
};

// Runs every simulation on `threads` threads; the result does not depend on the thread count.
StudyResult study_run(const StudySpec& spec, int threads);

}  // namespace sp::report
