#include "planner/launch.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "sim/common/error.h"

namespace sp {

std::string model_repo(std::string_view model) {
  // The checkpoints the bundled configs were taken from.
  static const std::map<std::string, std::string, std::less<>> kRepos = {
      {"llama-3.1-8b", "meta-llama/Llama-3.1-8B-Instruct"},
      {"llama-3.1-70b", "meta-llama/Llama-3.1-70B-Instruct"},
      {"llama-3.1-405b", "meta-llama/Llama-3.1-405B-Instruct"},
      {"llama-2-70b", "meta-llama/Llama-2-70b-hf"},
      {"mixtral-8x7b", "mistralai/Mixtral-8x7B-Instruct-v0.1"},
      {"mixtral-8x22b", "mistralai/Mixtral-8x22B-Instruct-v0.1"},
      {"qwen2.5-72b", "Qwen/Qwen2.5-72B-Instruct"},
      {"deepseek-v3", "deepseek-ai/DeepSeek-V3"},
  };
  if (auto it = kRepos.find(model); it != kRepos.end()) return it->second;
  const std::filesystem::path p(model);
  if (p.has_parent_path()) return p.parent_path().string();
  return std::string(model);
}

namespace {

// Three decimals, rounded down: a fraction rounded up could ask for more memory than planned.
std::string fmt_util(double u) { return fmt::format("{:g}", std::floor(u * 1000 + 1e-9) / 1000); }

}  // namespace

std::string launch_command(Engine e, const PlanFile& p) {
  const auto& pc = p.parallel;
  const auto& b = p.batch;
  const std::string repo = model_repo(p.model);
  const bool fp8 = p.dtype == "fp8", kv_fp8 = p.kv_dtype == "fp8";
  const bool multi_node = p.nodes > 1;
  std::string s;
  switch (e) {
    case Engine::vllm:
      s = fmt::format("vllm serve {} --tensor-parallel-size {} --pipeline-parallel-size {} --data-parallel-size {}", repo,
                      pc.tp, pc.pp, pc.dp);
      if (pc.ep > 1) s += " --enable-expert-parallel";
      s += fmt::format(" --max-num-seqs {} --max-num-batched-tokens {} --max-model-len {} --gpu-memory-utilization {}",
                       b.max_num_seqs, b.max_num_batched_tokens, b.max_model_len, fmt_util(b.gpu_memory_utilization));
      if (fp8) s += " --quantization fp8";
      if (kv_fp8) s += " --kv-cache-dtype fp8";
      if (multi_node) s += " --distributed-executor-backend ray";
      break;
    case Engine::sglang:
      s = fmt::format("python -m sglang.launch_server --model-path {} --tp-size {} --pp-size {} --dp-size {}", repo,
                      pc.tp, pc.pp, pc.dp);
      if (pc.ep > 1) s += fmt::format(" --ep-size {}", pc.ep);
      s += fmt::format(" --max-running-requests {} --chunked-prefill-size {} --context-length {} --mem-fraction-static {}",
                       b.max_num_seqs, b.max_num_batched_tokens, b.max_model_len, fmt_util(b.gpu_memory_utilization));
      if (fp8) s += " --quantization fp8";
      if (kv_fp8) s += " --kv-cache-dtype fp8_e4m3";
      if (multi_node) s += fmt::format(" --nnodes {} --node-rank <NODE_RANK> --dist-init-addr <HEAD_IP>:50000", p.nodes);
      break;
    case Engine::trtllm:
      // trtllm-serve has no data-parallel flag: dp > 1 runs that many servers behind a router.
      s = fmt::format("trtllm-serve {} --backend pytorch --tp_size {} --pp_size {}", repo, pc.tp, pc.pp);
      if (pc.ep > 1) s += fmt::format(" --ep_size {}", pc.ep);
      s += fmt::format(" --max_batch_size {} --max_num_tokens {} --max_seq_len {} --kv_cache_free_gpu_memory_fraction {}",
                       b.max_num_seqs, b.max_num_batched_tokens, b.max_model_len,
                       fmt_util(b.kv_cache_free_fraction > 0 ? b.kv_cache_free_fraction : b.gpu_memory_utilization));
      if (pc.dp > 1) s += fmt::format("  # x{} replicas, one per {} GPUs, behind a load balancer", pc.dp, pc.tp * pc.pp);
      break;
  }
  return s;
}

LaunchSettings launch_parse(Engine e, std::string_view command) {
  std::vector<std::string> tok;
  {
    std::istringstream in{std::string(command)};
    for (std::string t; in >> t;) {
      if (t == "#") break;  // a trailing comment
      tok.push_back(t);
    }
  }
  LaunchSettings s;
  s.parallel.ep = 1;
  auto num = [&](size_t& i) -> int64_t {
    if (i + 1 >= tok.size()) throw InputError(fmt::format("launch command: {} needs a value", tok[i]));
    const std::string& v = tok[++i];
    char* end = nullptr;
    const long long x = std::strtoll(v.c_str(), &end, 10);
    if (end == v.c_str() || *end) throw InputError(fmt::format("launch command: {} '{}' is not an integer", tok[i - 1], v));
    return x;
  };
  auto real = [&](size_t& i) -> double {
    if (i + 1 >= tok.size()) throw InputError(fmt::format("launch command: {} needs a value", tok[i]));
    return std::strtod(tok[++i].c_str(), nullptr);
  };
  struct Names {
    const char *tp, *pp, *dp, *ep, *seqs, *tokens, *len, *util;
  };
  const Names n = e == Engine::vllm     ? Names{"--tensor-parallel-size", "--pipeline-parallel-size", "--data-parallel-size", "",
                                            "--max-num-seqs", "--max-num-batched-tokens", "--max-model-len", "--gpu-memory-utilization"}
                  : e == Engine::sglang ? Names{"--tp-size", "--pp-size", "--dp-size", "--ep-size", "--max-running-requests",
                                                "--chunked-prefill-size", "--context-length", "--mem-fraction-static"}
                                        : Names{"--tp_size", "--pp_size", "", "--ep_size", "--max_batch_size", "--max_num_tokens",
                                                "--max_seq_len", "--kv_cache_free_gpu_memory_fraction"};
  // Flags we print that take a value but do not describe the split.
  static const std::vector<std::string> kOther = {"--quantization", "--kv-cache-dtype", "--distributed-executor-backend",
                                                  "--model-path", "--nnodes", "--node-rank", "--dist-init-addr", "--backend"};
  // After "vllm serve MODEL", "python -m sglang.launch_server" (its model is --model-path) or
  // "trtllm-serve MODEL".
  const size_t start = e == Engine::trtllm ? 2 : 3;
  for (size_t i = start; i < tok.size(); ++i) {
    const std::string& t = tok[i];
    if (t == n.tp) s.parallel.tp = int(num(i));
    else if (t == n.pp) s.parallel.pp = int(num(i));
    else if (*n.dp && t == n.dp) s.parallel.dp = int(num(i));
    else if (*n.ep && t == n.ep) s.parallel.ep = int(num(i));
    else if (t == n.seqs) s.max_num_seqs = num(i);
    else if (t == n.tokens) s.max_num_batched_tokens = num(i);
    else if (t == n.len) s.max_model_len = num(i);
    else if (t == n.util) s.gpu_memory_utilization = real(i);
    else if (e == Engine::vllm && t == "--enable-expert-parallel") s.expert_parallel = true;
    else if (std::find(kOther.begin(), kOther.end(), t) != kOther.end()) ++i;
    else throw InputError(fmt::format("launch command: unknown flag '{}' for {}", t, engine_name(e)));
  }
  if (e == Engine::vllm && s.expert_parallel) s.parallel.ep = s.parallel.tp * s.parallel.dp;
  return s;
}

}  // namespace sp
