#include "sim/accuracy/record_map.h"

#include <array>
#include <charconv>
#include <regex>

#include <fmt/format.h>

namespace sp {

std::string_view family_name(Family f) {
  switch (f) {
    case Family::offline_throughput: return "offline throughput";
    case Family::static_throughput: return "static-batch throughput";
    case Family::latency: return "latency";
    case Family::collective: return "collectives";
  }
  return "?";
}

namespace {

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

using NameMap = std::pair<std::string_view, std::string_view>;

template <size_t N>
std::optional<std::string> lookup(const std::array<NameMap, N>& table, std::string_view key) {
  for (const auto& [k, v] : table)
    if (k == key) return std::string(v);
  return std::nullopt;
}

// GPU names as the dataset writes them -> the bundled system of that GPU. An unstated form
// factor is taken as the 8-GPU SXM board (the pages name "H100 80GB HBM3", the SXM part).
std::optional<std::string> system_of(std::string_view gpu_key) {
  static constexpr std::array<NameMap, 9> kSystems{{
      {"H100 (form factor not stated)", "dgx-h100"},
      {"H100-SXM", "dgx-h100"},
      {"H200 (form factor not stated)", "dgx-h200"},
      {"A100-80GB (form factor not stated)", "dgx-a100"},
      {"A100-80GB-SXM", "dgx-a100"},
      {"B200", "dgx-b200"},
      {"L40S", "l40s"},
      {"H100-PCIe", "h100-pcie"},
      {"MI300X", "mi300x"},
  }};
  return lookup(kSystems, gpu_key);
}

// Model names as written -> bundled model. Llama 3.3 70B has Llama 3.1 70B's architecture
// and config; "LLaMA 70B/7B" on the TensorRT-LLM pages are the Llama 2 engines.
std::optional<std::string> model_of(std::string_view name) {
  static constexpr std::array<NameMap, 12> kModels{{
      {"Llama 3.1 70B", "llama-3.1-70b"},
      {"Llama 3.1 70B Instruct", "llama-3.1-70b"},
      {"Llama 3.3 70B Instruct", "llama-3.1-70b"},
      {"Llama 3.1 8B", "llama-3.1-8b"},
      {"Llama 3.1 8B Instruct", "llama-3.1-8b"},
      {"Llama 3.1 405B Instruct", "llama-3.1-405b"},
      {"Mixtral 8x7B", "mixtral-8x7b"},
      {"LLaMA 70B", "llama-2-70b"},
      {"Llama-2 70B", "llama-2-70b"},
      {"LLaMA 7B", "llama-2-7b"},
      {"llama_13b (Llama2-13B per blog title)", "llama-2-13b"},
      {"llama_70b (Llama-70B)", "llama-2-70b"},
  }};
  return lookup(kModels, name);
}

// Weights and KV precision. FP8 checkpoints of the TensorRT-LLM pages quantize the KV cache
// too (ModelOpt FP8 recipe); 16-bit engines keep both in 16 bits.
std::optional<Precision> precision_of(std::string_view p) {
  if (p.starts_with("FP8")) return Precision{.weights = DType::fp8, .kv = DType::fp8};
  if (p == "FP16" || p.starts_with("Mixed")) return Precision{.weights = DType::bf16, .kv = DType::bf16};
  return std::nullopt;
}

RecordMapping none(std::string reason) { return RecordMapping{.task = std::nullopt, .reason = std::move(reason)}; }

RecordMapping map_collective(const PublishedRecord& r) {
  RecordTask t;
  t.family = Family::collective;
  const auto sys = system_of(r.gpu_key);
  if (!sys) return none(fmt::format("GPU '{}' has no bundled system", r.gpu_key));
  t.system = *sys;
  if (r.metric.starts_with("p2p_copy")) return none("copy-engine memcpy bandwidth (nvbandwidth) is not a collective the model predicts");
  if (contains(r.interconnect, "NVLink (bridge)")) return none("an NVLink bridge between two PCIe cards is not a bundled system (h100-pcie has PCIe only)");
  // A network the record does not describe cannot be matched to a bundled one.
  if (contains(r.interconnect, "NIC speed not stated") || contains(r.interconnect, "not described")) {
    return none("the inter-node network is not described (NICs and their speed), so no bundled system matches it");
  }
  // AWS instances: the GPU board is the DGX one, the network is EFA, whose latency and achieved
  // bandwidth differ from InfiniBand's (hardware_profiles/systems/aws-p6-b200.json).
  if (contains(r.interconnect, "EFA")) {
    if (t.system != "dgx-b200") return none(fmt::format("an AWS EFA network with GPU '{}' is not a bundled system (aws-p6-b200 is)", r.gpu_key));
    t.system = "aws-p6-b200";
  }
  if (r.gpu_count < 2) return none("a collective needs at least 2 GPUs");
  // "N nodes x G GPUs" or "(1 GPU per node)"; otherwise one node.
  static const std::regex kNodes(R"((\d+) nodes x (\d+) GPU)");
  std::smatch m;
  t.nodes = 1;
  t.ranks_per_node = r.gpu_count;
  if (std::regex_search(r.interconnect, m, kNodes)) {
    t.nodes = std::stoi(m[1]);
    t.ranks_per_node = std::stoi(m[2]);
  } else if (contains(r.interconnect, "1 GPU per node")) {
    t.nodes = r.gpu_count;
    t.ranks_per_node = 1;
  }
  if (t.nodes * t.ranks_per_node != r.gpu_count) return none("the GPU count does not match the nodes x GPUs stated");
  if (r.collective == "send_recv") t.op = Collective::sendrecv;
  else if (r.collective == "all_reduce") t.op = Collective::allreduce;
  else return none(fmt::format("collective '{}' is not modelled", r.collective));
  const bool peak = r.metric == "allreduce_busbw_peak" || contains(r.message_size, "peak") ||
                    contains(r.message_size, "large messages");
  if (r.metric.ends_with("_time_median")) t.kind = TaskKind::collective_time;
  else if (peak) t.kind = TaskKind::busbw_peak;
  else if (r.metric == "allreduce_busbw") t.kind = TaskKind::busbw;
  else return none(fmt::format("metric '{}' is not predicted", r.metric));
  if (t.kind != TaskKind::busbw_peak) {
    const auto b = r.message_size_bytes ? r.message_size_bytes : size_parse(r.message_size);
    if (!b) return none(fmt::format("message size '{}' is not a size", r.message_size));
    t.bytes = *b;
  }
  return RecordMapping{.task = t, .reason = {}};
}

}  // namespace

std::optional<double> size_parse(std::string_view s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || v <= 0) return std::nullopt;
  const std::string_view unit(p, size_t(s.data() + s.size() - p));
  if (unit.empty() || unit == "B" || unit == " B") return v;
  if (unit == "KiB") return v * 1024;
  if (unit == "MiB") return v * 1024 * 1024;
  if (unit == "GiB") return v * 1024 * 1024 * 1024;
  return std::nullopt;
}

RecordMapping record_map(const PublishedRecord& r) {
  if (r.has_tag("collective") || r.framework == "NCCL" || r.framework == "RCCL" || r.framework == "nvbandwidth") {
    return map_collective(r);
  }
  if (r.model.empty()) return none("no model named");
  const auto model = model_of(r.model);
  if (!model) return none(fmt::format("model '{}' is not bundled", r.model));
  const auto sys = system_of(r.gpu_key);
  if (!sys) return none(fmt::format("GPU '{}' has no bundled system", r.gpu_key));
  const auto prec = precision_of(r.precision);
  if (!prec) return none(fmt::format("precision '{}' is not modelled (bf16 and fp8 are)", r.precision));
  if (r.has_tag("speculative")) return none("speculative decoding (MTP) is not modelled");
  if (r.has_tag("attention-dp")) return none("attention data parallelism is not modelled");
  if (!r.tp) return none("the parallel split is not stated");
  if (!r.input_len || !r.output_len) return none("input or output length not stated");
  RecordTask t;
  t.system = *sys;
  t.model = *model;
  t.precision = *prec;
  t.engine = contains(r.framework, "TensorRT-LLM") ? Engine::trtllm : Engine::vllm;
  t.parallel = ParallelConfig{.tp = *r.tp, .pp = r.pp.value_or(1), .dp = r.dp.value_or(1), .ep = r.ep.value_or(1)};
  t.input_len = *r.input_len;
  t.output_len = *r.output_len;
  t.batch = r.batch.value_or(0);
  const bool per_gpu = contains(r.unit, "/GPU") || r.metric == "output_throughput_per_gpu";
  if (per_gpu) t.per_gpus = double(t.parallel.gpus());
  if (r.metric == "ttft") {
    t.kind = TaskKind::ttft;
    t.family = Family::latency;
    if (t.batch < 1) t.batch = 1;
    return RecordMapping{.task = t, .reason = {}};
  }
  if (r.metric == "output_throughput_total" && contains(r.concurrency, "unbounded")) {
    t.kind = TaskKind::offline;
    t.family = Family::offline_throughput;
    return RecordMapping{.task = t, .reason = {}};
  }
  if (r.metric == "output_throughput" || r.metric == "output_throughput_per_gpu") {
    if (contains(r.unit, "not stated")) return none("unit ambiguous: per GPU or total is not stated");
    if (t.batch < 1) return none("static batch size not stated");
    t.kind = TaskKind::static_batch;
    t.family = Family::static_throughput;
    return RecordMapping{.task = t, .reason = {}};
  }
  return none(fmt::format("metric '{}' with concurrency '{}' is not predicted", r.metric, r.concurrency));
}

}  // namespace sp
