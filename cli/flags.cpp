#include "cli/flags.h"

#include "sim/common/error.h"

namespace sp::cli {

void add_format_flag(CLI::App* cmd, std::string& format) {
  cmd->add_option("--format", format, "Output: table (for people) or json (stdout only)")
      ->capture_default_str();
}

void add_deployment_flags(CLI::App* cmd, DeploymentFlags& f) {
  cmd->add_option("--model", f.model, "Bundled model name (e.g. llama-3.1-70b) or path to a HF config.json")->required();
  cmd->add_option("--hardware", f.hardware, "Bundled system (e.g. dgx-h100) or path to a system profile")->required();
  cmd->add_option("--nodes", f.nodes, "Nodes of that system")->capture_default_str();
  cmd->add_option("--tp", f.parallel.tp, "Tensor-parallel degree")->capture_default_str();
  cmd->add_option("--pp", f.parallel.pp, "Pipeline-parallel stages")->capture_default_str();
  cmd->add_option("--dp", f.parallel.dp, "Data-parallel replicas")->capture_default_str();
  cmd->add_option("--ep", f.parallel.ep, "Expert-parallel degree (MoE models)")->capture_default_str();
  cmd->add_option("--dtype", f.dtype, "Weight precision: bf16 or fp8")->capture_default_str();
  cmd->add_option("--kv-dtype", f.kv_dtype, "KV-cache precision: bf16 or fp8")->capture_default_str();
  cmd->add_option("--max-model-len", f.memory.max_model_len,
                  "Longest request that must fit in the KV cache (0 = the model's maximum)")
      ->capture_default_str();
  f.gpu_memory_utilization_opt = cmd->add_option("--gpu-memory-utilization", f.memory.gpu_memory_utilization,
                                                  "Fraction of GPU memory the engine uses (default: the engine's)");
  f.max_num_batched_tokens_opt =
      cmd->add_option("--max-num-batched-tokens", f.memory.max_num_batched_tokens,
                      "New tokens per iteration: sizes the activation workspace and bounds every batch (default: the engine's)");
  f.max_num_seqs_opt = cmd->add_option("--max-num-seqs", f.memory.max_num_seqs, "Sequences per iteration (default: the engine's)");
  cmd->add_option("--engine", f.engine,
                  "Serving engine whose defaults and overheads apply: vllm, trtllm or sglang (docs/engines.md)")
      ->capture_default_str();
  add_format_flag(cmd, f.format);
}

Format parse_format(const std::string& s) {
  if (s == "table") return Format::table;
  if (s == "json") return Format::json;
  throw InputError("--format: unknown format '" + s + "' (use table or json)");
}

Deployment resolve(const DeploymentFlags& f) {
  Deployment d;
  d.format = parse_format(f.format);
  d.precision.weights = dtype_parse(f.dtype, "--dtype");
  d.precision.kv = dtype_parse(f.kv_dtype, "--kv-dtype");
  d.model = model_load(f.model);
  d.cluster = cluster_make(f.hardware, f.nodes);
  d.parallel = f.parallel;
  d.memory = f.memory;
  const auto engine = engine_parse(f.engine);
  if (!engine) throw InputError("--engine: unknown engine '" + f.engine + "' (use vllm, trtllm or sglang)");
  d.engine = engine_preset(*engine, d.cluster.system.gpu);
  if (f.max_num_seqs_opt == nullptr || f.max_num_seqs_opt->count() == 0) d.memory.max_num_seqs = d.engine.max_num_seqs;
  if (f.max_num_batched_tokens_opt == nullptr || f.max_num_batched_tokens_opt->count() == 0) {
    d.memory.max_num_batched_tokens = d.engine.max_num_batched_tokens;
  }
  parallel_validate(d.parallel, d.model, d.cluster);
  if (f.gpu_memory_utilization_opt == nullptr || f.gpu_memory_utilization_opt->count() == 0) {
    d.memory.gpu_memory_utilization =
        engine_memory_utilization(d.engine, d.model, d.cluster, d.parallel, d.precision, d.memory);
  }
  return d;
}

void backend_check(const std::string& backend) {
  if (backend == "cuda") {
    throw InputError("--backend cuda: this version of the runtime executes plans on CPUs only (MPI ranks, Eigen); "
                     "the CUDA backend is not implemented yet (docs/runtime.md); use --backend cpu");
  }
}

}  // namespace sp::cli
