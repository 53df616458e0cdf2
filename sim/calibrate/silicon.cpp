#include "sim/calibrate/silicon.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "sim/calibrate/csv_table.h"
#include "sim/common/data_dir.h"
#include "sim/common/error.h"
#include "sim/cost/collective.h"
#include "sim/cost/ops.h"
#include "sim/cost/roofline.h"
#include "sim/hardware/system_profile.h"
#include "sim/hardware/topology.h"
#include "sim/model/model_config.h"

namespace sp {

namespace {

namespace fs = std::filesystem;

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

size_t nearest(const std::vector<double>& grid, double q) {
  size_t best = 0;
  for (size_t i = 1; i < grid.size(); ++i)
    if (std::abs(std::log2(grid[i] / q)) < std::abs(std::log2(grid[best] / q))) best = i;
  return best;
}

// Version folders sort by their numbers ("0.24.0" after "0.14.0", "1.3.0rc20" after "1.3.0rc10").
std::vector<long> version_key(const std::string& v) {
  std::vector<long> k;
  long cur = -1;
  for (char c : v) {
    if (std::isdigit(static_cast<unsigned char>(c))) cur = (cur < 0 ? 0 : cur * 10) + (c - '0');
    else if (cur >= 0) { k.push_back(cur); cur = -1; }
  }
  if (cur >= 0) k.push_back(cur);
  return k;
}

// The newest version folder of `dir` holding `file`.
fs::path newest_with(const fs::path& dir, std::string_view file) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory() && fs::is_regular_file(e.path() / file)) found.push_back(e.path());
  if (found.empty()) throw InputError(fmt::format("{}: no version folder holds {}", dir.string(), file));
  return *std::max_element(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
    return version_key(a.filename().string()) < version_key(b.filename().string());
  });
}

// A kernel sample: the op as the cost model sees it, and the measured seconds.
struct KernelSample {
  Op op;
  double measured_s = 0;
  FitSample point;
};

ShapeTable ones_like(const std::vector<double>& xs, const std::vector<double>& ys) {
  return ShapeTable{.x = xs, .y = ys, .values = std::vector<double>(xs.size() * ys.size(), 1.0)};
}

std::vector<double> distinct(const std::vector<FitSample>& s, bool x_axis) {
  std::set<double> v;
  for (const auto& p : s) v.insert(x_axis ? p.x : p.y);
  return {v.begin(), v.end()};
}

// Powers of two covering the values (for axes measured on irregular grids).
std::vector<double> pow2_axis(const std::vector<FitSample>& s, bool x_axis) {
  double lo = 1e300, hi = 0;
  for (const auto& p : s) {
    const double v = x_axis ? p.x : p.y;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  std::vector<double> out;
  for (double v = std::exp2(std::round(std::log2(lo))); v <= hi * 1.5; v *= 2) out.push_back(v);
  return out;
}

// Efficiency implied by one measurement: the ideal time over the measured time less the
// per-kernel overhead the model adds back, clamped to (0, 1].
double kernel_eff(double ideal_s, double measured_s, double overhead_s) {
  const double busy = measured_s - overhead_s;
  if (busy <= ideal_s) return 1.0;
  return std::max(0.01, ideal_s / busy);
}

TableFit kernel_fit_error(std::string table, std::string source, const std::vector<KernelSample>& samples,
                          const GpuProfile& fitted) {
  std::vector<double> errs;
  for (const auto& s : samples) errs.push_back(100.0 * std::abs(op_time(s.op, fitted).time_s / s.measured_s - 1));
  TableFit f{.table = std::move(table), .source = std::move(source), .samples = int(samples.size())};
  f.median_err_pct = median(errs);
  f.mean_err_pct = errs.empty() ? 0 : std::accumulate(errs.begin(), errs.end(), 0.0) / double(errs.size());
  return f;
}

// GEMM rows of one dtype: ops as ops.cpp builds them (weights n*k at w bytes, activations in and
// out at 2 bytes), keyed by m and n*k.
std::vector<KernelSample> gemm_samples(const CsvTable& t, std::string_view dtype, bool fp8) {
  const size_t cd = t.column("gemm_dtype"), cm = t.column("m"), cn = t.column("n"), ck = t.column("k"),
               cl = t.column("latency");
  std::vector<KernelSample> out;
  for (size_t r = 0; r < t.rows(); ++r) {
    if (t.text(r, cd) != dtype) continue;
    const double m = t.number(r, cm), n = t.number(r, cn), k = t.number(r, ck);
    Op op{.name = "gemm", .cls = OpClass::gemm, .flops = 2 * m * n * k,
          .bytes = n * k * (fp8 ? 1.0 : 2.0) + m * (n + k) * 2.0, .kernels = 1, .fp8_compute = fp8};
    op.shape.m = m;
    op.shape.nk = n * k;
    const double meas = t.number(r, cl) * 1e-3;
    out.push_back({op, meas, {m, n * k, 0}});
  }
  return out;
}

// MoE rows (the whole expert computation of one layer) priced as ops.cpp prices a Mixtral-style
// MoE layer's "experts" op: experts split by TP only (moe_ep_size 1, the split the bundled MoE
// models' records use), routing skew power_law_1.01 (the mildest measured; "balanced" rows
// were not kept, shared/data/silicon/README.md).
std::vector<KernelSample> moe_samples(const CsvTable& t, std::string_view dtype, bool fp8, int max_tp) {
  const size_t cd = t.column("moe_dtype"), cn = t.column("num_tokens"), ch = t.column("hidden_size"),
               ci = t.column("inter_size"), ck = t.column("topk"), ce = t.column("num_experts"),
               ctp = t.column("moe_tp_size"), cep = t.column("moe_ep_size"), cdist = t.column("distribution"),
               cl = t.column("latency");
  std::vector<KernelSample> out;
  for (size_t r = 0; r < t.rows(); ++r) {
    if (t.text(r, cd) != dtype || t.text(r, cdist) != "power_law_1.01" || t.number(r, cep) != 1) continue;
    const int tp = int(t.number(r, ctp));
    if (tp > max_tp) continue;
    const json cfg = {{"architectures", {"MixtralForCausalLM"}},
                      {"hidden_size", int64_t(t.number(r, ch))},
                      {"intermediate_size", int64_t(t.number(r, ci))},
                      {"num_attention_heads", 64},
                      {"num_key_value_heads", 64},
                      {"head_dim", 128},
                      {"num_hidden_layers", 1},
                      {"vocab_size", 32000},
                      {"num_local_experts", int64_t(t.number(r, ce))},
                      {"num_experts_per_tok", int64_t(t.number(r, ck))}};
    const ModelConfig m = model_from_hf_json(cfg, "moe_perf row");
    const ParallelConfig pc{.tp = tp, .pp = 1, .dp = 1, .ep = 1};
    const Precision prec{.weights = fp8 ? DType::fp8 : DType::bf16, .kv = DType::bf16};
    const BatchShape b = batch_decode(t.number(r, cn), 1);
    for (const Op& op : layer_ops(m, 0, pc, prec, fp8, b)) {
      if (op.name != "experts") continue;
      out.push_back({op, t.number(r, cl) * 1e-3, {op.shape.m, op.shape.nk, 0}});
    }
  }
  return out;
}

// Attention rows with head_dim 128, 16-bit K/V and no sliding window (the bundled models').
std::vector<KernelSample> attention_samples(const CsvTable& t, bool prefill) {
  const size_t cb = t.column("batch_size"), ci = t.column("isl"), ch = t.column("num_heads"),
               ckv = t.column("num_key_value_heads"), cd = t.column("head_dim"), ca = t.column("attn_dtype"),
               ckd = t.column("kv_cache_dtype"), cl = t.column("latency");
  const size_t cs = t.has_column("step") ? t.column("step") : SIZE_MAX;
  const size_t cw = t.has_column("window_size") ? t.column("window_size") : SIZE_MAX;
  std::vector<KernelSample> out;
  for (size_t r = 0; r < t.rows(); ++r) {
    if (t.number(r, cd) != 128 || t.text(r, ca) != "bfloat16" || t.text(r, ckd) != "bfloat16") continue;
    if (cw != SIZE_MAX && t.number(r, cw) != 0) continue;
    const double b = t.number(r, cb), heads = t.number(r, ch), kvh = t.number(r, ckv), d = 128;
    Op op{.name = "attention", .cls = OpClass::attention, .kernels = 1};
    if (prefill) {
      const double s = t.number(r, ci);
      op.shape.prefill_flops = 4 * b * heads * d * s * (s + 1) / 2;
      op.shape.prefill_len = s;
      op.shape.prefill_seqs_heads = b * heads;
      op.flops = op.shape.prefill_flops;
      op.bytes = b * s * (heads + 2 * kvh) * d * 2 * 2;
      out.push_back({op, t.number(r, cl) * 1e-3, {s, b * heads, 0}});
    } else {
      const double ctx = t.number(r, ci) + (cs == SIZE_MAX ? 0 : t.number(r, cs));
      op.shape.decode_flops = 4 * b * heads * d * ctx;
      op.shape.decode_bytes = b * ctx * 2 * kvh * d * 2;
      op.shape.decode_seqs = b;
      op.shape.decode_kv_heads = kvh;
      op.shape.decode_context = ctx;
      op.flops = op.shape.decode_flops;
      op.bytes = op.shape.decode_bytes;
      out.push_back({op, t.number(r, cl) * 1e-3, {b * kvh, ctx, 0}});
    }
  }
  return out;
}

// Fits one kernel table: points from (ideal / measured) on a GPU whose table is all ones.
ShapeTable fit_kernels(std::vector<KernelSample>& samples, const GpuProfile& base, ShapeTable EfficiencyTables::*member,
                       std::vector<double> xs, std::vector<double> ys) {
  GpuProfile unit = base;
  unit.kernel_overhead_us = 0;
  unit.tables.*member = ones_like(xs, ys);
  // Attention is priced from its tables only when both are present.
  if (member == &EfficiencyTables::attention_prefill) unit.tables.attention_decode = ones_like({1}, {1});
  if (member == &EfficiencyTables::attention_decode) unit.tables.attention_prefill = ones_like({1}, {1});
  std::vector<FitSample> pts;
  for (auto& s : samples) {
    s.point.eff = kernel_eff(op_time(s.op, unit).time_s, s.measured_s, base.kernel_overhead_us * 1e-6);
    pts.push_back(s.point);
  }
  return grid_fit(pts, std::move(xs), std::move(ys), 1.0);
}

struct CommSample {
  Collective op;
  double bytes;
  int ranks;
  double measured_s;
};

// Efficiency implied by one measured collective on the links `l`: the ring's time at line rate
// (the constant protocol efficiency divided out, latencies kept) over the measured time.
double comm_eff(const CommSample& s, const GroupLinks& l) {
  GroupLinks line = l;
  line.intra_tables = {};
  line.intra_bw_gb_s = l.intra_bw_gb_s / l.intra_efficiency;
  return std::clamp(collective_time_s(s.op, s.bytes, line) / s.measured_s, 0.01, kMaxCollectiveEfficiency);
}

TableFit comm_fit_error(std::string table, std::string source, const std::vector<CommSample>& samples,
                        const Topology& topo, bool engine) {
  std::vector<double> errs;
  for (const auto& s : samples) {
    std::vector<int> g(size_t(s.ranks));
    std::iota(g.begin(), g.end(), 0);
    const GroupLinks l = topo.group_links(g);
    const double t = engine ? engine_collective_time_s(s.op, s.bytes, l) : collective_time_s(s.op, s.bytes, l);
    errs.push_back(100.0 * std::abs(t / s.measured_s - 1));
  }
  TableFit f{.table = std::move(table), .source = std::move(source), .samples = int(samples.size())};
  f.median_err_pct = median(errs);
  f.mean_err_pct = errs.empty() ? 0 : std::accumulate(errs.begin(), errs.end(), 0.0) / double(errs.size());
  return f;
}

ShapeTable fit_comm(const std::vector<CommSample>& samples, const Topology& topo) {
  std::vector<FitSample> pts;
  for (const auto& s : samples) {
    std::vector<int> g(size_t(s.ranks));
    std::iota(g.begin(), g.end(), 0);
    pts.push_back({s.bytes, double(s.ranks), comm_eff(s, topo.group_links(g))});
  }
  // Every other measured size (a factor of 4 apart): the curve is checked between its points.
  std::vector<double> xs;
  const auto all = distinct(pts, true);
  for (size_t i = 0; i < all.size(); i += 2) xs.push_back(all[i]);
  if (xs.back() != all.back()) xs.push_back(all.back());
  return grid_fit(pts, xs, distinct(pts, false), kMaxCollectiveEfficiency);
}

std::string rel(const fs::path& p, const fs::path& root) { return fs::relative(p, root).generic_string(); }

std::string source_text(const std::string& file, int samples, std::string_view what) {
  return fmt::format("fitted by shardplan calibrate --from-silicon to {} rows of shared/data/silicon/{} (AIConfigurator "
                     "measurements, NVIDIA, Apache-2.0): {}; fit error in docs/accuracy.md",
                     samples, file, what);
}

}  // namespace

ShapeTable grid_fit(const std::vector<FitSample>& samples, std::vector<double> xs, std::vector<double> ys, double max) {
  SP_ASSERT(!xs.empty() && !ys.empty(), "grid_fit: empty grid");
  std::vector<std::vector<double>> cells(xs.size() * ys.size());
  for (const auto& s : samples) cells[nearest(xs, s.x) * ys.size() + nearest(ys, s.y)].push_back(s.eff);
  ShapeTable t{.x = std::move(xs), .y = std::move(ys), .values = {}};
  t.values.assign(cells.size(), 0);
  std::vector<char> filled(cells.size(), 0);
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].empty()) continue;
    // Four decimals: far below the few-percent spread of the measurements.
    t.values[i] = std::round(std::clamp(median(cells[i]), 0.01, max) * 1e4) / 1e4;
    filled[i] = 1;
  }
  const size_t ny = t.y.size();
  for (size_t i = 0; i < cells.size(); ++i) {
    if (filled[i]) continue;
    double best = 1e300;
    for (size_t j = 0; j < cells.size(); ++j) {
      if (!filled[j]) continue;
      const double dx = std::log2(t.x[i / ny] / t.x[j / ny]), dy = std::log2(t.y[i % ny] / t.y[j % ny]);
      const double d = dx * dx + dy * dy;
      if (d < best) {
        best = d;
        t.values[i] = t.values[j];
      }
    }
    if (best == 1e300) t.values[i] = max;  // no sample at all
  }
  return t;
}

SiliconCalibration calibrate_from_silicon(const fs::path& dir, std::string_view system, Engine engine) {
  const fs::path sys_path = data_dir() / "hardware_profiles" / "systems" / (std::string(system) + ".json");
  if (!fs::is_regular_file(sys_path)) {
    throw InputError(fmt::format("--system: unknown system '{}' (a bundled system, e.g. dgx-h100)", system));
  }
  json sys = json_load_file(sys_path);
  if (!sys.contains("gpu") || !sys["gpu"].is_string()) {
    throw InputError(fmt::format("{}: /gpu: calibration needs a bundled GPU name here", sys_path.string()));
  }
  const std::string gpu_name = sys["gpu"].get<std::string>();
  json gpu = json_load_file(data_dir() / "hardware_profiles" / "gpus" / (gpu_name + ".json"));
  std::string folder = gpu_name;
  std::replace(folder.begin(), folder.end(), '-', '_');
  const fs::path gdir = dir / folder;
  if (!fs::is_directory(dir)) {
    throw InputError(fmt::format("--from-silicon: no folder {} (give the measured tables' folder, e.g. "
                                 "../shared/data/silicon)", dir.string()));
  }
  if (!fs::is_directory(gdir)) {
    throw InputError(fmt::format("--from-silicon: no folder '{}' in {} for GPU '{}' of system '{}'", folder,
                                 dir.string(), gpu_name, system));
  }
  const fs::path edir = newest_with(gdir / std::string(engine_name(engine)), "gemm_perf.csv");
  const GpuProfile base = gpu_profile_from_json(gpu, gpu_name);

  SiliconCalibration cal;
  json tables = json::object();
  json& gsrc = gpu["sources"];
  std::vector<std::pair<std::vector<KernelSample>, std::pair<std::string, ShapeTable EfficiencyTables::*>>> fitted;
  GpuProfile fit = base;

  // GEMMs: x = every measured m, y = n*k in powers of two.
  const CsvTable gemm(edir / "gemm_perf.csv");
  const std::string gemm_file = rel(edir / "gemm_perf.csv", dir);
  for (auto [dtype, key, fp8] : {std::tuple{"bfloat16", "gemm_bf16", false}, std::tuple{"fp8", "gemm_fp8", true}}) {
    if (fp8 && base.peak_fp8_tflops <= 0) continue;
    auto samples = gemm_samples(gemm, dtype, fp8);
    if (samples.empty()) continue;
    std::vector<FitSample> pts;
    for (const auto& s : samples) pts.push_back(s.point);
    ShapeTable EfficiencyTables::*member = fp8 ? &EfficiencyTables::gemm_fp8 : &EfficiencyTables::gemm_bf16;
    fit.tables.*member = fit_kernels(samples, base, member, distinct(pts, true), pow2_axis(pts, false));
    tables[key] = shape_table_to_json(fit.tables.*member, "m", "nk");
    gsrc[std::string("efficiency_tables.") + key] =
        source_text(gemm_file, int(samples.size()), fmt::format("{} GEMMs, median of ideal/measured per (m, n*k) cell", dtype));
    fitted.push_back({std::move(samples), {gemm_file, member}});
  }
  // MoE expert computation: by (tokens per expert, n*k of one expert), on power-of-two grids.
  const fs::path moe_path = edir / "moe_perf.csv";
  if (fs::is_regular_file(moe_path)) {
    const CsvTable moe(moe_path);
    const int max_tp = int(sys.value("gpus_per_node", 8));
    for (auto [dtype, key, fp8] : {std::tuple{"bfloat16", "moe_bf16", false}, std::tuple{"fp8", "moe_fp8", true}}) {
      if (fp8 && base.peak_fp8_tflops <= 0) continue;
      auto samples = moe_samples(moe, dtype, fp8, max_tp);
      if (samples.empty()) continue;
      std::vector<FitSample> pts;
      for (const auto& s : samples) pts.push_back(s.point);
      ShapeTable EfficiencyTables::*member = fp8 ? &EfficiencyTables::moe_fp8 : &EfficiencyTables::moe_bf16;
      fit.tables.*member = fit_kernels(samples, base, member, pow2_axis(pts, true), pow2_axis(pts, false));
      tables[key] = shape_table_to_json(fit.tables.*member, "m", "nk");
      gsrc[std::string("efficiency_tables.") + key] = source_text(
          rel(moe_path, dir), int(samples.size()),
          fmt::format("{} MoE layers, experts split by TP, power_law_1.01 routing; median of ideal/measured per (tokens "
                      "per expert, n*k of one expert) cell",
                      dtype));
      fitted.push_back({std::move(samples), {rel(moe_path, dir), member}});
    }
  }
  // Attention: prefill by (isl, batch * heads), decode by (batch, context).
  for (auto [file, key, prefill] : {std::tuple{"context_attention_perf.csv", "attention_prefill", true},
                                    std::tuple{"generation_attention_perf.csv", "attention_decode", false}}) {
    const fs::path p = edir / file;
    if (!fs::is_regular_file(p)) continue;
    auto samples = attention_samples(CsvTable(p), prefill);
    if (samples.empty()) continue;
    std::vector<FitSample> pts;
    for (const auto& s : samples) pts.push_back(s.point);
    ShapeTable EfficiencyTables::*member = prefill ? &EfficiencyTables::attention_prefill : &EfficiencyTables::attention_decode;
    fit.tables.*member = fit_kernels(samples, base, member, distinct(pts, true), pow2_axis(pts, false));
    tables[key] = shape_table_to_json(fit.tables.*member, prefill ? "seq_len" : "seqs_kv_heads",
                                      prefill ? "seqs_heads" : "context");
    gsrc[std::string("efficiency_tables.") + key] = source_text(
        rel(p, dir), int(samples.size()), "head_dim 128, bf16 K/V, no window; median of ideal/measured per cell");
    fitted.push_back({std::move(samples), {rel(p, dir), member}});
  }
  if (!tables.empty()) gpu["efficiency_tables"] = tables;
  gpu["name"] = fmt::format("{}-{}", gpu_name, engine_name(engine));
  gpu["description"] = fmt::format("{}, calibrated to {} kernels", gpu.value("description", gpu_name),
                                   engine_name(engine));
  // A GEMM table covers every GEMM, an attention table needs its partner to take effect.
  if (fit.tables.attention_prefill.empty() != fit.tables.attention_decode.empty()) {
    throw InputError(fmt::format("{}: found only one of context_attention_perf.csv and generation_attention_perf.csv",
                                 edir.string()));
  }
  for (auto& [samples, what] : fitted) {
    const std::string key = what.second == &EfficiencyTables::gemm_bf16          ? "gemm_bf16"
                            : what.second == &EfficiencyTables::gemm_fp8          ? "gemm_fp8"
                            : what.second == &EfficiencyTables::moe_bf16          ? "moe_bf16"
                            : what.second == &EfficiencyTables::moe_fp8           ? "moe_fp8"
                            : what.second == &EfficiencyTables::attention_prefill ? "attention_prefill"
                                                                                  : "attention_decode";
    cal.fits.push_back(kernel_fit_error("efficiency_tables." + key, what.first, samples, fit));
  }

  // Collectives on this system's fabric: NCCL (nccl-tests) and the engine's own allreduce.
  sys["gpu"] = gpu;
  sys["name"] = fmt::format("{}-{}", system, engine_name(engine));
  sys["description"] = fmt::format("{}; kernels and collectives calibrated to {} measurements",
                                   sys.value("description", std::string(system)), engine_name(engine));
  const SystemProfile plain = system_profile_from_json(sys, sys_path.string());
  const Topology topo(Cluster{.system = plain, .nodes = 1});
  const fs::path nccl_dir = newest_with(gdir / "nccl", "nccl_perf.csv");
  const CsvTable nccl(nccl_dir / "nccl_perf.csv");
  const std::string nccl_file = rel(nccl_dir / "nccl_perf.csv", dir);
  const size_t co = nccl.column("op_name"), cd = nccl.column("nccl_dtype"), cn = nccl.column("num_gpus"),
               cs = nccl.column("message_size"), cl = nccl.column("latency");
  json ctables = json::object();
  std::vector<std::pair<std::string, std::vector<CommSample>>> comm;
  std::vector<CommSample> nccl_allreduce;
  for (auto [name, key, op] : {std::tuple{"all_reduce", "allreduce", Collective::allreduce},
                               std::tuple{"all_gather", "allgather", Collective::allgather},
                               std::tuple{"alltoall", "alltoall", Collective::alltoall}}) {
    std::vector<CommSample> samples;
    for (size_t r = 0; r < nccl.rows(); ++r) {
      if (nccl.text(r, co) != name || nccl.text(r, cd) != "half") continue;
      const int n = int(nccl.number(r, cn));
      if (n > plain.gpus_per_node) continue;
      // message_size counts elements: 2 bytes each for half.
      samples.push_back({op, 2 * nccl.number(r, cs), n, nccl.number(r, cl) * 1e-3});
    }
    if (samples.empty()) continue;
    ctables[key] = shape_table_to_json(fit_comm(samples, topo), "bytes", "ranks");
    sys["sources"][std::string("collective_tables.") + key] = source_text(
        nccl_file, int(samples.size()), fmt::format("nccl-tests {} (half), bandwidth efficiency per (bytes, ranks) after "
                                                    "the profile's latencies", name));
    if (op == Collective::allreduce) nccl_allreduce = samples;
    comm.push_back({key, std::move(samples)});
  }
  // The engine's allreduce: its custom kernel where faster than NCCL at that size and count.
  const fs::path custom = edir / "custom_allreduce_perf.csv";
  if (fs::is_regular_file(custom) && !nccl_allreduce.empty()) {
    const CsvTable c(custom);
    const size_t cn2 = c.column("num_gpus"), cs2 = c.column("message_size"), cl2 = c.column("latency");
    const size_t cb = c.has_column("backend") ? c.column("backend") : SIZE_MAX;
    std::vector<CommSample> samples = nccl_allreduce;
    for (size_t r = 0; r < c.rows(); ++r) {
      if (cb != SIZE_MAX && c.text(r, cb) != "vllm_graph") continue;  // vLLM: the CUDA-graph path decode runs
      const int n = int(c.number(r, cn2));
      if (n > plain.gpus_per_node) continue;
      samples.push_back({Collective::allreduce, 2 * c.number(r, cs2), n, c.number(r, cl2) * 1e-3});
    }
    // Keep the faster measurement per (bytes, ranks): the engine picks the faster path.
    std::sort(samples.begin(), samples.end(), [](const CommSample& a, const CommSample& b) {
      return std::tie(a.ranks, a.bytes, a.measured_s) < std::tie(b.ranks, b.bytes, b.measured_s);
    });
    samples.erase(std::unique(samples.begin(), samples.end(),
                              [](const CommSample& a, const CommSample& b) { return a.ranks == b.ranks && a.bytes == b.bytes; }),
                  samples.end());
    ctables["engine_allreduce"] = shape_table_to_json(fit_comm(samples, topo), "bytes", "ranks");
    sys["sources"]["collective_tables.engine_allreduce"] = source_text(
        rel(custom, dir) + " and " + nccl_file, int(samples.size()),
        "the faster of the engine's custom allreduce and NCCL per (bytes, ranks), as the engine picks");
    comm.push_back({"engine_allreduce", std::move(samples)});
  }
  if (!ctables.empty()) sys["collective_tables"] = ctables;
  const SystemProfile fitted_sys = system_profile_from_json(sys, sys_path.string());
  const Topology ftopo(Cluster{.system = fitted_sys, .nodes = 1});
  for (const auto& [key, samples] : comm) {
    const bool eng = key == "engine_allreduce";
    cal.fits.push_back(comm_fit_error("collective_tables." + key,
                                      eng ? rel(custom, dir) + " + " + nccl_file : nccl_file, samples, ftopo, eng));
  }
  cal.profile = sys;
  return cal;
}

}  // namespace sp
