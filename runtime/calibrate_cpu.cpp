#include "runtime/calibrate_cpu.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "runtime/cpu/cpu_device.h"
#include "runtime/launch.h"
#include "runtime/recorder.h"
#include "runtime/stats.h"
#include "sim/common/error.h"
#include "sim/cost/ops.h"
#include "sim/hardware/gpu_profile.h"
#include "sim/hardware/shape_table.h"

namespace sp {

namespace {

using json = nlohmann::json;

std::vector<float> random_floats(size_t n, uint32_t seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> v(n);
  for (auto& x : v) x = u(g);
  return v;
}

double clamp_eff(double e) { return std::clamp(e, 1e-4, 1.0); }

// A Llama-like layer of `heads` query heads of width 64 (two per KV head), to price the
// attention shapes exactly as sim/cost/ops.cpp does.
Op attention_op(int heads, const BatchShape& b) {
  ModelConfig m;
  m.name = "calibrate";
  m.hidden = heads * 64;
  m.num_layers = 1;
  m.num_heads = heads;
  m.num_kv_heads = std::max(1, heads / 2);
  m.head_dim = 64;
  m.ffn = 64;
  m.vocab = 64;
  for (const Op& op : layer_ops(m, 0, ParallelConfig{}, Precision{}, false, b))
    if (op.cls == OpClass::attention) return op;
  SP_ASSERT(false, "no attention op in a Llama layer");
}

struct Kernels {
  double peak_flops = 0;         // best GEMM rate
  double bw_real = 0;            // streaming copy, real bytes/s
  ShapeTable gemm, prefill, decode, memory;
  json raw = json::object();
};

Kernels measure_kernels() {
  CpuDevice dev;
  Kernels k;
  // Streaming copy bandwidth over arrays well beyond the last-level cache.
  {
    const size_t n = size_t(32) << 20;  // 128 MiB of floats
    std::vector<float> a(n, 1.0f), b(n, 0.0f);
    const double t = time_median([&] { std::copy(a.begin(), a.end(), b.begin()); }, 0.2);
    k.bw_real = 2.0 * double(n) * 4.0 / t;
    k.raw["copy"] = {{"bytes", 2 * n * 4}, {"time_s", t}};
  }
  const double bw = k.bw_real / kRuntimeByteRatio;  // per counted byte

  // GEMM grid. Weights cycle through copies that together exceed the last-level cache, as a
  // decoder's weights do from one layer to the next, so small-m GEMMs stream from memory.
  const std::vector<int> ms{1, 2, 4, 8, 16, 32, 64, 256, 1024};
  const std::vector<int> sides{256, 512, 1024, 2048};
  std::vector<std::vector<double>> t_gemm(ms.size(), std::vector<double>(sides.size()));
  auto raw_gemm = json::array();
  for (size_t j = 0; j < sides.size(); ++j) {
    const int kk = sides[j], n = sides[j];
    const size_t wsz = size_t(kk) * size_t(n);
    const int copies = int(std::clamp<size_t>((size_t(96) << 20) / (wsz * 4), 1, 400));
    std::vector<std::vector<float>> ws;
    for (int c = 0; c < copies; ++c) ws.push_back(random_floats(wsz, uint32_t(c + 1)));
    for (size_t i = 0; i < ms.size(); ++i) {
      const int m = ms[i];
      const auto x = random_floats(size_t(m) * size_t(kk), 99);
      std::vector<float> y(size_t(m) * size_t(n));
      int c = 0;
      t_gemm[i][j] = time_median([&] {
        dev.gemm(x, ws[size_t(c)], y, m, kk, n);
        c = (c + 1) % copies;
      });
      k.peak_flops = std::max(k.peak_flops, 2.0 * m * double(wsz) / t_gemm[i][j]);
      raw_gemm.push_back({{"m", m}, {"k", kk}, {"n", n}, {"time_s", t_gemm[i][j]}});
    }
  }
  k.raw["gemm"] = raw_gemm;
  for (int m : ms) k.gemm.x.push_back(m);
  k.gemm.y.clear();
  for (int s : sides) k.gemm.y.push_back(double(s) * s);
  for (size_t i = 0; i < ms.size(); ++i) {
    for (size_t j = 0; j < sides.size(); ++j) {
      const double m = ms[i], s = sides[j];
      // The bytes sim/cost/ops.cpp counts for a GEMM: weights plus activations in and out.
      const double ideal = std::max(2 * m * s * s / k.peak_flops, (s * s + m * 2 * s) * 2 / bw);
      k.gemm.values.push_back(clamp_eff(ideal / t_gemm[i][j]));
    }
  }

  // Attention: prefill of one sequence (x new tokens, y query heads) and decode (x sequences,
  // y context), d = 64, two query heads per KV head.
  auto raw_att = json::array();
  const std::vector<int> lens{16, 64, 256}, heads{4, 16, 64};
  k.prefill.x.assign(lens.begin(), lens.end());
  k.prefill.y.assign(heads.begin(), heads.end());
  for (int len : lens) {
    for (int hq : heads) {
      const int hk = std::max(1, hq / 2), d = 64;
      const auto q = random_floats(size_t(len) * size_t(hq * d), 1);
      const auto kc = random_floats(size_t(len) * size_t(hk * d), 2), vc = random_floats(kc.size(), 3);
      std::vector<float> out(size_t(len) * size_t(hq * d));
      const kernels::AttentionHeads ah{.heads = hq, .kv_heads = hk, .d = d, .q_head0 = 0, .kv_head0 = 0, .group = hq / hk};
      const double t = time_median([&] { dev.attention(q, hq * d, len, 0, kc, vc, ah, out); });
      const Op op = attention_op(hq, batch_prefill(1, len));
      k.prefill.values.push_back(clamp_eff(op.shape.prefill_flops / k.peak_flops / t));
      raw_att.push_back({{"phase", "prefill"}, {"seq_len", len}, {"heads", hq}, {"time_s", t}});
    }
  }
  const std::vector<int> seqs{1, 4, 16}, ctxs{64, 256, 1024};
  const int decode_kv_heads = 4;  // the table's x is sequences x KV heads, as the cost model looks it up
  for (int s : seqs) k.decode.x.push_back(double(s * decode_kv_heads));
  k.decode.y.assign(ctxs.begin(), ctxs.end());
  for (int s : seqs) {
    for (int c : ctxs) {
      const int hq = 8, hk = decode_kv_heads, d = 64, ctx = c + 1;
      const size_t per_seq = size_t(ctx) * size_t(hk * d);
      // A decoder reads each layer's own KV cache after the layer's weights went through the
      // cache, so the caches cycle through copies beyond the last-level cache, as the GEMMs do.
      const int copies = int(std::clamp<size_t>((size_t(96) << 20) / (2 * size_t(s) * per_seq * 4), 1, 400));
      const auto q = random_floats(size_t(s) * size_t(hq * d), 4);
      std::vector<std::vector<float>> kcs, vcs;
      for (int i = 0; i < copies; ++i) {
        kcs.push_back(random_floats(size_t(s) * per_seq, uint32_t(5 + 2 * i)));
        vcs.push_back(random_floats(size_t(s) * per_seq, uint32_t(6 + 2 * i)));
      }
      std::vector<float> out(size_t(hq * d));
      const kernels::AttentionHeads ah{.heads = hq, .kv_heads = hk, .d = d, .q_head0 = 0, .kv_head0 = 0, .group = 2};
      int cur = 0;
      const double t = time_median([&] {
        const auto& kc = kcs[size_t(cur)];
        const auto& vc = vcs[size_t(cur)];
        for (int i = 0; i < s; ++i) {
          dev.attention(std::span<const float>(q).subspan(size_t(i * hq * d), size_t(hq * d)), hq * d, 1, c,
                        std::span<const float>(kc).subspan(size_t(i) * per_seq, per_seq),
                        std::span<const float>(vc).subspan(size_t(i) * per_seq, per_seq), ah, out);
        }
        cur = (cur + 1) % copies;
      });
      const Op op = attention_op(hq, batch_decode(s, c));
      k.decode.values.push_back(
          clamp_eff(std::max(op.shape.decode_flops / k.peak_flops, op.shape.decode_bytes / bw) / t));
      raw_att.push_back({{"phase", "decode"}, {"seqs", s}, {"context", c}, {"time_s", t}});
    }
  }
  k.raw["attention"] = raw_att;

  // Memory-bound kernels: RMSNorm (4*T*h counted elements) and SiLU-mul (3*T*f) sized to move
  // the same counted bytes (f = 4h/3), averaged; x is the counted bytes.
  auto raw_mem = json::array();
  const int h = 1536, f = 2048;
  for (int T : {1, 4, 16, 64, 256, 1024}) {
    auto x = random_floats(size_t(T) * h, 7), res = random_floats(size_t(T) * h, 8);
    const auto w = random_floats(size_t(h), 9), gu = random_floats(size_t(T) * 2 * f, 10);
    std::vector<float> act(size_t(T) * f);
    const double t_norm = time_median([&] { dev.residual_rmsnorm(x, res, w, T, 1e-5f); }, 0.02);
    const double t_silu = time_median([&] { dev.silu_mul(gu, act, T, f); }, 0.02);
    const double bytes = 4.0 * T * h * kActivationBytes;
    k.memory.x.push_back(bytes);
    k.memory.values.push_back(clamp_eff(bytes / bw / (0.5 * (t_norm + t_silu))));
    raw_mem.push_back({{"tokens", T}, {"counted_bytes", bytes}, {"rmsnorm_s", t_norm}, {"silu_mul_s", t_silu}});
  }
  k.raw["memory"] = raw_mem;
  return k;
}

std::vector<CommSample> samples(const json& arr) {
  std::vector<CommSample> out;
  for (const auto& s : arr) out.push_back({s.at("bytes").get<double>(), s.at("time_s").get<double>()});
  return out;
}

}  // namespace

AlphaBeta fit_alpha_beta(const std::vector<CommSample>& allreduce, const std::vector<CommSample>& sendrecv) {
  SP_ASSERT(allreduce.size() + sendrecv.size() >= 3, "fit_alpha_beta: too few samples");
  // Columns: base, step, seconds per byte. Rows are weighted by 1/t so that every size counts
  // by its relative error, not the largest messages alone.
  const Eigen::Index n = Eigen::Index(allreduce.size() + sendrecv.size());
  Eigen::MatrixXd A(n, 3);
  Eigen::VectorXd b(n);
  Eigen::Index r = 0;
  for (const auto& s : allreduce) { A.row(r) << 1 / s.time_s, 2 / s.time_s, s.bytes / s.time_s; b(r++) = 1; }
  for (const auto& s : sendrecv) { A.row(r) << 1 / s.time_s, 1 / s.time_s, s.bytes / s.time_s; b(r++) = 1; }
  auto solve = [&](std::vector<int> cols) {
    Eigen::MatrixXd S(n, Eigen::Index(cols.size()));
    for (size_t c = 0; c < cols.size(); ++c) S.col(Eigen::Index(c)) = A.col(cols[c]);
    const Eigen::VectorXd x = S.colPivHouseholderQr().solve(b);
    Eigen::Vector3d full = Eigen::Vector3d::Zero();
    for (size_t c = 0; c < cols.size(); ++c) full(cols[c]) = x(Eigen::Index(c));
    return full;
  };
  Eigen::Vector3d x = solve({0, 1, 2});
  if (x(0) < 0 || x(1) < 0) {
    // Drop the negative latency term(s) and refit; prefer keeping the per-step latency.
    x = solve(x(1) >= 0 ? std::vector<int>{1, 2} : std::vector<int>{0, 2});
    if (x(0) < 0 || x(1) < 0) x = solve({2});
  }
  return AlphaBeta{.base_s = x(0), .step_s = x(1), .s_per_byte = std::max(x(2), 1e-15)};
}

double alpha_beta_allreduce_s(const AlphaBeta& f, double bytes) { return f.base_s + 2 * f.step_s + bytes * f.s_per_byte; }
double alpha_beta_sendrecv_s(const AlphaBeta& f, double bytes) { return f.base_s + f.step_s + bytes * f.s_per_byte; }

CpuCalibration calibrate_cpu(const CalibrateCpuOptions& o) {
  const std::string by = fmt::format("measured by shardplan calibrate --backend cpu on {} {}", o.host, o.date);

  // MPI first: the kernels' timings do not depend on it, and a broken MPI should fail fast.
  const auto tmp = std::filesystem::temp_directory_path() / fmt::format("shardplan_comm_{}.json", ::getpid());
  const LaunchResult lr = mpi_launch({.np = 2, .args = {"--bench-comm", "--out", tmp.string()}, .timeout_s = o.comm_timeout_s});
  if (lr.code != 0) {
    std::string first = lr.err.substr(0, lr.err.find('\n'));
    throw InputError(fmt::format("calibrate: the MPI measurement failed (exit {}): {}; check that '{}' runs", lr.code,
                                 first, mpi_launch_command({.np = 2, .args = {"--bench-comm"}})));
  }
  json comm;
  {
    std::ifstream f(tmp);
    comm = json::parse(f);
  }
  std::filesystem::remove(tmp);
  const auto ar = samples(comm.at("allreduce")), sr = samples(comm.at("sendrecv"));
  const AlphaBeta fit = fit_alpha_beta(ar, sr);

  const Kernels k = measure_kernels();
  const double bw = k.bw_real / kRuntimeByteRatio;

  GpuProfile g;
  g.name = o.name + "-core";
  g.description = "one core of this machine running shardplan's fp32 CPU runtime (one MPI rank)";
  g.peak_bf16_tflops = k.peak_flops / 1e12;
  g.peak_fp8_tflops = 0;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  const int cores = std::max(1, int(std::thread::hardware_concurrency()));
  g.memory_gib = std::max(1.0, double(pages) * double(page) / double(1 << 30) / cores);
  g.memory_bandwidth_gb_s = bw / 1e9;
  g.nvlink_bandwidth_gb_s = 0;
  g.pcie_gen = 1;
  g.kernel_overhead_us = 0;
  g.runtime_overhead_gib = 0;
  auto med = [](const std::vector<double>& v) { return median(v); };
  std::vector<double> big_m(k.gemm.values.end() - ptrdiff_t(2 * k.gemm.y.size()), k.gemm.values.end());
  g.efficiency.gemm_compute = std::max(0.01, med(big_m));
  g.efficiency.memory = std::max(0.01, med(k.memory.values));
  g.efficiency.attention_compute = std::max(0.01, med(k.prefill.values));
  g.tables.gemm_bf16 = k.gemm;
  g.tables.attention_prefill = k.prefill;
  g.tables.attention_decode = k.decode;
  g.tables.memory = k.memory;
  const std::string half = "; per counted (bf16) byte: the fp32 runtime moves 2 real bytes for each, so the measured "
                           "rate is halved";
  const json gpu_sources = {
      {"peak_bf16_tflops", by + ": best single-thread Eigen fp32 GEMM rate over the grid (m 1-1024, n = k 256-2048)"},
      {"peak_fp8_tflops", "not applicable: the CPU runtime has no FP8 path"},
      {"memory_gib", by + ": physical memory / cores"},
      {"memory_bandwidth_gb_s", by + ": single-thread streaming copy of 2 x 128 MiB" + half},
      {"nvlink_bandwidth_gb_s", "not applicable: CPU ranks share memory"},
      {"pcie_gen", "not applicable: no PCIe device; the lowest accepted value"},
      {"kernel_overhead_us", "assumption: 0; the fitted tables already include each kernel's fixed cost"},
      {"runtime_overhead_gib", "assumption: 0; a CPU rank has no device context"},
      {"efficiency.gemm_compute", by + ": median of the GEMM table at m >= 256"},
      {"efficiency.memory", by + ": median of the memory table"},
      {"efficiency.attention_compute", by + ": median of the prefill attention table"},
      {"efficiency_tables.gemm_bf16", by + ": Eigen GEMM time vs ideal, weights cycling through 96 MiB of copies" + half},
      {"efficiency_tables.attention_prefill", by + ": kernels/cpu attention, one sequence, d 64, 2 query heads per KV head"},
      {"efficiency_tables.attention_decode", by + ": kernels/cpu attention, 8 query and 4 KV heads of d 64" + half},
      {"efficiency_tables.memory", by + ": mean of RMSNorm and SiLU-mul moving the same counted bytes" + half},
  };
  json gpu = gpu_profile_to_json(g, gpu_sources);

  const double link_gb_s = 1.0 / fit.s_per_byte / kRuntimeByteRatio / 1e9;
  json sys = {
      {"schema_version", 1},
      {"name", o.name},
      {"description", fmt::format("{} as shardplan's CPU runtime sees it: one MPI rank per core, {} cores", o.host, cores)},
      {"gpu", gpu},
      {"gpus_per_node", cores},
      {"intra_node", {{"fabric", "mesh"}, {"bandwidth_gb_s", std::max(0.1, link_gb_s)},
                      {"latency_us", fit.step_s * 1e6}, {"efficiency", 1.0}}},
      {"inter_node", {{"nics_per_node", 0}, {"nic_bandwidth_gb_s", 0}, {"latency_us", 0}, {"efficiency", 1.0}}},
      {"collective_base_latency_us", fit.base_s * 1e6},
      {"nccl_buffer_gib", 0},
      {"sources",
       {{"gpus_per_node", by + ": cores (one rank each)"},
        {"intra_node.bandwidth_gb_s", by + ": 1 / beta of the alpha-beta fit to MPI AllReduce and send/recv, 2 ranks, 1 KiB-4 MiB" + half},
        {"intra_node.latency_us", by + ": per-step alpha of the same fit"},
        {"intra_node.efficiency", "assumption: 1; the fitted bandwidth is already the achieved one"},
        {"inter_node.nics_per_node", "not applicable: one machine"},
        {"inter_node.nic_bandwidth_gb_s", "not applicable: one machine"},
        {"inter_node.latency_us", "not applicable: one machine"},
        {"inter_node.efficiency", "not applicable: one machine"},
        {"collective_base_latency_us", by + ": fixed alpha of the same fit"},
        {"nccl_buffer_gib", "not applicable: MPI, no NCCL buffers"}}},
  };

  json fitj = {{"base_s", fit.base_s}, {"step_s", fit.step_s}, {"s_per_byte", fit.s_per_byte}};
  json meas = k.raw;
  meas["kind"] = "shardplan-calibration-measurements";
  meas["host"] = o.host;
  meas["date"] = o.date;
  meas["comm"] = comm;
  meas["comm_fit"] = fitj;
  return CpuCalibration{.profile = sys, .measurements = meas};
}

}  // namespace sp
