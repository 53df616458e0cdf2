// runtime/calibrate_cpu and runtime/validate: the alpha-beta fit, the GPipe replay of the
// runtime's schedule, and the two commands end to end on this machine (calibrate, then
// validate with the profile just written), whose figures come from real runs.
#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "runtime/calibrate_cpu.h"
#include "runtime/launch.h"
#include "runtime/stats.h"
#include "runtime/validate.h"
#include "sim/cost/collective.h"
#include "sim/cost/roofline.h"
#include "sim/hardware/topology.h"

using namespace sp;

TEST_SUITE("calibrate") {

TEST_CASE("the alpha-beta fit recovers exact parameters and never goes negative") {
  const AlphaBeta truth{.base_s = 5e-6, .step_s = 2e-6, .s_per_byte = 1e-10};
  std::vector<CommSample> ar, sr;
  for (double b = 1024; b <= (16 << 20); b *= 4) {
    ar.push_back({b, alpha_beta_allreduce_s(truth, b)});
    sr.push_back({b, alpha_beta_sendrecv_s(truth, b)});
  }
  const AlphaBeta f = fit_alpha_beta(ar, sr);
  CHECK(f.base_s == doctest::Approx(5e-6).epsilon(1e-6));
  CHECK(f.step_s == doctest::Approx(2e-6).epsilon(1e-6));
  CHECK(f.s_per_byte == doctest::Approx(1e-10).epsilon(1e-6));

  // Send/recv slower than AllReduce at small sizes would need a negative step: it is dropped.
  for (auto& s : sr) s.time_s += 20e-6;
  const AlphaBeta g = fit_alpha_beta(ar, sr);
  CHECK(g.base_s >= 0);
  CHECK(g.step_s >= 0);
  CHECK(g.s_per_byte > 0);
}

TEST_CASE("calibrate --backend cpu, then validate with that profile: real measurements, self-consistent fits") {
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("shardplan_calibrate_test_{}", ::getpid());
  std::filesystem::remove_all(dir);
  const auto profile = dir / "cpu-test.json";
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = shell_run(fmt::format("{} calibrate --backend cpu --out {}", SHARDPLAN_BIN, profile.string()));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(secs < 120);

  const SystemProfile p = system_profile_load(profile.string());
  CHECK(p.name == "cpu-test");
  CHECK(p.gpu.peak_bf16_tflops > 0.001);
  CHECK(!p.gpu.tables.gemm_bf16.empty());
  const auto meas = nlohmann::json::parse(std::ifstream(dir / "cpu-test.measurements.json"));

  // The profile's collective model (through the topology, as the cost model uses it) gives
  // back the fitted alpha-beta exactly: the counted (bf16) bytes are half the real ones.
  const AlphaBeta fit{.base_s = meas["comm_fit"]["base_s"], .step_s = meas["comm_fit"]["step_s"],
                      .s_per_byte = meas["comm_fit"]["s_per_byte"]};
  const Cluster cluster{.system = p, .nodes = 1};
  const Topology topo(cluster);
  const int pair[2] = {0, 1};
  const GroupLinks links = topo.group_links(pair);
  std::vector<double> rel;
  for (const char* kind : {"allreduce", "sendrecv"}) {
    const bool is_ar = std::string(kind) == "allreduce";
    for (const auto& s : meas["comm"][kind]) {
      const double bytes = s["bytes"], measured = s["time_s"];
      const double fitted = is_ar ? alpha_beta_allreduce_s(fit, bytes) : alpha_beta_sendrecv_s(fit, bytes);
      const double modelled = collective_time_s(is_ar ? Collective::allreduce : Collective::sendrecv,
                                                bytes / kRuntimeByteRatio, links);
      CHECK(modelled == doctest::Approx(fitted).epsilon(1e-6));
      rel.push_back(std::abs(fitted - measured) / measured);
    }
  }
  // The fit reproduces its own measurements: half of them within 50% on a shared, noisy machine.
  CHECK(median(rel) < 0.5);

  // The GEMM table reproduces every measured GEMM (grid points) unless its efficiency was
  // clipped to (0, 1].
  for (const auto& g : meas["gemm"]) {
    const double m = g["m"], k = g["k"], n = g["n"], t = g["time_s"];
    Op op{.name = "gemm", .cls = OpClass::gemm, .flops = 2 * m * n * k, .bytes = (n * k + m * (k + n)) * 2, .shape = {}};
    op.shape.m = m;
    op.shape.nk = n * k;
    const double eff = p.gpu.tables.gemm_bf16.at(m, n * k);
    if (eff < 1.0 && eff > 1e-4) CHECK(op_time(op, p.gpu).time_s == doctest::Approx(t).epsilon(1e-6));
  }

  // validate with the profile just written: the report's measured figures are the run's.
  const auto out = dir / "validation";
  const auto v = shell_run(fmt::format("{} validate --model tiny-llama-512 --tp 2 --profile {} --out {} --batch 2 "
                                       "--prompt-len 32 --decode-steps 4 --iters 2 --format json",
                                       SHARDPLAN_BIN, profile.string(), out.string()));
  INFO(v.err);
  REQUIRE(v.code == 0);
  const auto j = nlohmann::json::parse(std::ifstream(out / "validation.json"));
  const auto m = nlohmann::json::parse(std::ifstream(out / "measurement.json"));
  CHECK(j == nlohmann::json::parse(v.out));
  CHECK(std::filesystem::exists(out / "validation.md"));
  CHECK(std::filesystem::exists(out / "plan.json"));
  CHECK(m["check"]["passed"] == true);
  std::map<std::string, nlohmann::json> rows;
  for (const auto& row : j["comparison"]) rows[row["metric"]] = row;
  CHECK(rows["prefill_ms"]["measured"].get<double>() == doctest::Approx(m["prefill_median_s"].get<double>() * 1e3));
  CHECK(rows["decode_step_ms"]["measured"].get<double>() ==
        doctest::Approx(m["decode_step_median_s"].get<double>() * 1e3));
  CHECK(rows["prefill_allreduce_ms"]["measured"].get<double>() > 0);
  CHECK(rows["prefill_ms"]["predicted"].get<double>() > 0);
  CHECK(rows.count("decode_stage0_busy_ms") == 1);
  // Per op: priced ops with their measured medians (averaged over the stage's two ranks).
  std::map<std::string, nlohmann::json> ops;
  for (const auto& x : j["ops"])
    if (x["phase"] == "decode_step") ops[x["op"]] = x;
  REQUIRE(ops.count("gate_up_proj") == 1);
  CHECK(ops["gate_up_proj"]["predicted_ms"].get<double>() > 0);
  const double mean_gate_up = 1e3 * 0.5 * (m["ranks"][0]["decode_step_ops_s"]["gate_up_proj"].get<double>() +
                                           m["ranks"][1]["decode_step_ops_s"]["gate_up_proj"].get<double>());
  CHECK(ops["gate_up_proj"]["measured_ms"].get<double>() == doctest::Approx(mean_gate_up));
  CHECK(ops["mlp_allreduce"]["measured_ms"].get<double>() > 0);
  const double pred_gate_up = ops["gate_up_proj"]["predicted_ms"].get<double>();
  CHECK(ops["gate_up_proj"]["error_pct"].get<double>() == doctest::Approx((pred_gate_up - mean_gate_up) / mean_gate_up * 100));
  const std::string verdict = j["verdict"];
  CHECK((verdict.starts_with("PASS: prefill error") || verdict.starts_with("FAIL: prefill error")));
  std::filesystem::remove_all(dir);
}

}  // TEST_SUITE

TEST_SUITE("validate") {

TEST_CASE("the prediction replays GPipe: microbatches overlap across stages, hand-offs in between") {
  const CostModel cm(model_load("tiny-llama-512"), cluster_make("dgx-h100", 1),
                     ParallelConfig{.tp = 1, .pp = 2, .dp = 1, .ep = 1}, Precision{});
  const BatchShape b = batch_prefill(2, 64);
  const double s0 = cm.stage_time(0, b).total_s(), s1 = cm.stage_time(1, b).total_s(), h = cm.handoff_time_s(0, b);
  CHECK(predict_phase(cm, b, 1).time_s == doctest::Approx(s0 + h + s1));
  // Two microbatches: stage 1 starts the second when it has finished the first and received it.
  const PhasePrediction two = predict_phase(cm, b, 2);
  CHECK(two.time_s == doctest::Approx(std::max(s0 + h + 2 * s1, 2 * s0 + h + s1)));
  REQUIRE(two.stage_busy_s.size() == 2);
  CHECK(two.stage_busy_s[1] == doctest::Approx(2 * s1));
  CHECK(two.allreduce_s == 0);
}

TEST_CASE("validate refuses a rank count the plan does not have, in one line") {
  const auto r = shell_run(fmt::format("{} validate --model tiny-llama-512 --tp 2 --profile dgx-h100 --np 3",
                                       SHARDPLAN_BIN));
  CHECK(r.code == 2);
  CHECK(r.err == "shardplan: error: --np 3: the plan has tp 2 x pp 1 x dp 1 = 2 ranks; use --np 2\n");
  const auto c = shell_run(fmt::format("{} calibrate --backend tpu --out x.json", SHARDPLAN_BIN));
  CHECK(c.code == 2);
  const auto m = shell_run(fmt::format("{} validate --model mixtral-8x7b --profile dgx-h100 --tp 2", SHARDPLAN_BIN));
  CHECK(m.code == 2);
  CHECK(m.err.find("the runtime runs dense Llama-style models only") != std::string::npos);
}

}  // TEST_SUITE
