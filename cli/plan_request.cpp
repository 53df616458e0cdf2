#include "cli/plan_request.h"

#include <thread>

#include <fmt/format.h>

#include "cli/flags.h"
#include "sim/common/error.h"

namespace sp::cli {

void add_plan_flags(CLI::App* cmd, PlanFlags& f) {
  cmd->add_option("--model", f.model, "Bundled model name (e.g. llama-3.1-70b) or path to a HF config.json")->required();
  cmd->add_option("--hardware", f.hardware, "Bundled system (e.g. dgx-h100) or path to a system profile")->required();
  cmd->add_option("--nodes", f.nodes, "Nodes of that system")->capture_default_str();
  cmd->add_option("--gpus", f.gpus, "GPUs to use (0 = all GPUs of the nodes)")->capture_default_str();
  cmd->add_flag("--allow-fewer-gpus", f.allow_fewer_gpus, "Also consider deployments on fewer GPUs");
  cmd->add_flag("--allow-cross-node-tp", f.allow_cross_node_tp, "Allow TP groups that span nodes (slow)");
  cmd->add_option("--dtype", f.dtype, "Weight precision: bf16 or fp8")->capture_default_str();
  cmd->add_option("--kv-dtype", f.kv_dtype, "KV-cache precision: bf16 or fp8")->capture_default_str();
  cmd->add_option("--max-model-len", f.max_model_len,
                  "Longest request that must fit (0 = the workload's longest request)")->capture_default_str();
  cmd->add_option("--gpu-memory-utilization", f.gpu_memory_utilization,
                  "Fraction of GPU memory the engine uses (0 = the engine's: vllm 0.9, sglang 0.88, trtllm KV 0.9 of "
                  "what is left)")
      ->capture_default_str();
  cmd->add_option("--max-num-seqs", f.max_num_seqs,
                  "Values of max-num-seqs to search, comma-separated (default: 64,256 and the engine's default)")
      ->delimiter(',');
  cmd->add_option("--max-num-batched-tokens", f.max_num_batched_tokens,
                  "Values of max-num-batched-tokens to search, comma-separated (default: 2048,8192 and the "
                  "engine's default)")
      ->delimiter(',');
  add_workload_flags(cmd, f.workload);
  cmd->add_option("--slo", f.slo, "Limits, e.g. ttft_p99_ms=500,tpot_p99_ms=50,e2e_p99_ms=20000");
  cmd->add_option("--objective", f.objective, "throughput (tok/s per GPU), latency (p99 e2e) or cost ($ per M tokens)")
      ->capture_default_str();
  cmd->add_option("--gpu-hour-usd", f.gpu_hour_usd, "Price of one GPU-hour (default: bundled assumption per GPU)");
  cmd->add_option("--engine", f.engine, "Engine the plan is for: vllm, sglang or trtllm")->capture_default_str();
  cmd->add_option("--simulate-top", f.simulate_top, "Candidates simulated after the analytic ranking")
      ->capture_default_str();
  cmd->add_option("--threads", f.threads, "Evaluation threads (0 = every core); results do not depend on it")
      ->capture_default_str();
  add_format_flag(cmd, f.format);
}

namespace {

int small_int(const std::string& key, const nlohmann::json& v) {
  const int64_t x = v.get<int64_t>();
  if (x < -1000000 || x > 1000000) throw InputError(fmt::format("{}: {} is out of range (use -1e6 to 1e6)", key, x));
  return int(x);
}

}  // namespace

void plan_flags_apply(PlanFlags& f, const nlohmann::json& settings) {
  for (const auto& [k, v] : settings.items()) {
    if (k == "model") f.model = v.get<std::string>();
    else if (k == "hardware") f.hardware = v.get<std::string>();
    else if (k == "nodes") f.nodes = small_int(k, v);
    else if (k == "gpus") f.gpus = small_int(k, v);
    else if (k == "allow_fewer_gpus") f.allow_fewer_gpus = v.get<bool>();
    else if (k == "allow_cross_node_tp") f.allow_cross_node_tp = v.get<bool>();
    else if (k == "dtype") f.dtype = v.get<std::string>();
    else if (k == "kv_dtype") f.kv_dtype = v.get<std::string>();
    else if (k == "max_model_len") f.max_model_len = v.get<int64_t>();
    else if (k == "gpu_memory_utilization") f.gpu_memory_utilization = v.get<double>();
    else if (k == "max_num_seqs") f.max_num_seqs = v.get<std::vector<int64_t>>();
    else if (k == "max_num_batched_tokens") f.max_num_batched_tokens = v.get<std::vector<int64_t>>();
    else if (k == "input_len") f.workload.input_len = v.get<std::string>();
    else if (k == "output_len") f.workload.output_len = v.get<std::string>();
    else if (k == "num_requests") f.workload.num_requests = v.get<int64_t>();
    else if (k == "request_rate") f.workload.request_rate = v.get<double>();
    else if (k == "concurrency") f.workload.concurrency = v.get<int64_t>();
    else if (k == "trace") f.workload.trace = v.get<std::string>();
    else if (k == "seed") {
      if (v.get<int64_t>() < 0) throw InputError(fmt::format("seed: {} must not be negative", v.get<int64_t>()));
      f.workload.seed = v.get<uint64_t>();
    }
    else if (k == "slo") f.slo = v.get<std::string>();
    else if (k == "objective") f.objective = v.get<std::string>();
    else if (k == "gpu_hour_usd") f.gpu_hour_usd = v.get<double>();
    else if (k == "engine") f.engine = v.get<std::string>();
    else if (k == "simulate_top") f.simulate_top = small_int(k, v);
    else SP_ASSERT(false, "plan_flags_apply: a scenario key without a flag");
  }
}

PlanContext plan_context(const PlanFlags& f) {
  PlanContext ctx;
  ctx.model_arg = f.model;
  ctx.hardware_arg = f.hardware;
  ctx.dtype = f.dtype;
  ctx.kv_dtype = f.kv_dtype;
  const auto engine = engine_parse(f.engine);
  if (!engine) throw InputError("--engine: unknown engine '" + f.engine + "' (use vllm, trtllm or sglang)");
  ctx.engine = *engine;
  ctx.workload = f.workload;
  ctx.top = f.top;
  parse_format(f.format);
  if (f.top < 1 || f.top > 4096) throw InputError(fmt::format("--top: {} is out of range (use 1 to 4096)", f.top));
  if (f.threads < 0 || f.threads > 1024) throw InputError(fmt::format("--threads: {} is out of range (use 0 to 1024)", f.threads));
  if (f.gpus < 0) throw InputError(fmt::format("--gpus: {} must not be negative (0 = every GPU)", f.gpus));
  if (f.max_model_len < 0 || f.max_model_len > (int64_t(1) << 24)) {
    throw InputError(fmt::format("--max-model-len: {} is out of range (use 0 to {})", f.max_model_len, int64_t(1) << 24));
  }
  if (!(f.gpu_memory_utilization >= 0 && f.gpu_memory_utilization <= 1)) {
    throw InputError(fmt::format("--gpu-memory-utilization: {} is out of range (use (0, 1], or 0 for the engine's)",
                                 f.gpu_memory_utilization));
  }
  for (auto [flag, list, hi] : {std::tuple{"--max-num-seqs", &f.max_num_seqs, int64_t(1) << 20},
                                {"--max-num-batched-tokens", &f.max_num_batched_tokens, int64_t(1) << 24}}) {
    for (int64_t v : *list) {
      if (v < 1 || v > hi) throw InputError(fmt::format("{}: {} is out of range (use 1 to {})", flag, v, hi));
    }
  }
  PlanRequest& q = ctx.request;
  q.model = model_load(f.model);
  q.cluster = cluster_make(f.hardware, f.nodes);
  q.precision.weights = dtype_parse(f.dtype, "--dtype");
  q.precision.kv = dtype_parse(f.kv_dtype, "--kv-dtype");
  const EnginePreset preset = engine_preset(*engine, q.cluster.system.gpu);
  q.engine = preset;
  q.gpus = f.gpus;
  q.allow_fewer_gpus = f.allow_fewer_gpus;
  q.allow_cross_node_tp = f.allow_cross_node_tp;
  q.max_model_len = f.max_model_len;
  q.gpu_memory_utilization = f.gpu_memory_utilization;
  q.max_num_seqs_grid = f.max_num_seqs.empty() ? default_max_num_seqs_grid(preset) : f.max_num_seqs;
  q.max_num_batched_tokens_grid =
      f.max_num_batched_tokens.empty() ? default_max_num_batched_tokens_grid(preset) : f.max_num_batched_tokens;
  q.workload = workload_spec(f.workload);
  q.slo = slo_parse(f.slo);
  q.objective = objective_parse(f.objective);
  q.simulate_top = f.simulate_top;
  q.threads = f.threads > 0 ? f.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  if (f.gpu_hour_usd < 0 || f.gpu_hour_usd > 1000) {
    throw InputError(fmt::format("--gpu-hour-usd: {} is out of range (use 0 to 1000; 0 = bundled price)", f.gpu_hour_usd));
  }
  if (f.gpu_hour_usd > 0) {
    q.gpu_hour_usd = f.gpu_hour_usd;
    ctx.price_source = "--gpu-hour-usd";
  } else {
    // Prices are assumptions; only the cost objective needs one, so a GPU without a bundled
    // price is an error there and a blank column elsewhere.
    try {
      const GpuPrice p = gpu_price_bundled(q.cluster.system.gpu.name);
      q.gpu_hour_usd = p.usd_per_hour;
      ctx.price_source = p.source;
    } catch (const InputError&) {
      if (q.objective == Objective::cost) throw;
    }
  }
  return ctx;
}

}  // namespace sp::cli
