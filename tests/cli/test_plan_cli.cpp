// plan and sweep as users and scripts see them.
#include <doctest/doctest.h>

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "planner/plan_file.h"
#include "planner/launch.h"
#include "tests/cli/run_cli.h"

using namespace sp::test;
using nlohmann::json;

namespace {

std::filesystem::path temp_file(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / ("shardplan-plan-cli-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto p = dir / name;
  std::ofstream(p) << text;
  return p;
}

// The rows of a sweep, less what legitimately differs between runs.
json comparable(json doc) {
  doc["sweep"].erase("wall_s");
  doc["sweep"].erase("shard");
  doc["sweep"].erase("merged_from");
  return doc;
}

}  // namespace

TEST_SUITE("cli") {

TEST_CASE("plan --format json has the contract's keys and launch commands that parse back") {
  auto r = run("plan --model llama-3.1-8b --hardware dgx-h100 --num-requests 300 --request-rate 20 "
               "--slo ttft_p99_ms=1000 --format json");
  REQUIRE(r.code == 0);
  const json j = json::parse(r.out);
  for (auto key : {"recommended", "ranked", "pareto", "rejected", "search"}) CHECK(j.contains(key));
  const json& rec = j["recommended"];
  for (auto key : {"config", "metrics", "memory_per_gpu_gib", "communication", "simulator", "planner", "launch"}) {
    CHECK(rec.contains(key));
  }
  CHECK(rec["planner"]["meets_slo"] == true);
  CHECK(rec["metrics"]["ttft_ms"]["p99"].get<double>() <= 1000);
  for (auto key : {"candidates", "feasible", "simulated", "wall_s"}) CHECK(j["search"].contains(key));
  CHECK(j["search"]["simulated"].get<int>() == int(j["ranked"].size()));
  const auto& c = rec["config"];
  for (auto [name, en] : {std::pair{"vllm", sp::Engine::vllm}, {"sglang", sp::Engine::sglang}, {"trtllm", sp::Engine::trtllm}}) {
    const sp::LaunchSettings s = sp::launch_parse(en, rec["launch"][name].get<std::string>());
    CHECK(s.parallel.tp == c["tp"].get<int>());
    CHECK(s.parallel.pp == c["pp"].get<int>());
    CHECK(s.max_num_seqs == c["max_num_seqs"].get<int64_t>());
  }
}

TEST_CASE("plan searches the engine's own batch defaults beside the default grid, unless the grid is given") {
  const std::string base = "plan --model llama-3.1-8b --hardware dgx-h100 --gpus 2 --num-requests 20 --input-len 128 "
                           "--output-len 16 --format json ";
  // vLLM on H100: 1024 sequences, 8192 tokens (already in the grid); TensorRT-LLM: 2048 sequences.
  for (auto [engine, seqs] : {std::pair{"vllm", json{64, 256, 1024}}, {"trtllm", json{64, 256, 2048}}}) {
    auto r = run(base + "--engine " + engine);
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["search"]["max_num_seqs_grid"] == seqs);
    CHECK(j["search"]["max_num_batched_tokens_grid"] == json{2048, 8192});
  }
  auto r = run(base + "--max-num-seqs 32,128 --max-num-batched-tokens 4096");
  REQUIRE(r.code == 0);
  const json j = json::parse(r.out);
  CHECK(j["search"]["max_num_seqs_grid"] == json{32, 128});
  CHECK(j["search"]["max_num_batched_tokens_grid"] == json{4096});
  // Splits of 2 GPUs: tp2, dp2, pp2 with 2 or 4 batches in flight; times 2 x 1 knob settings.
  CHECK(j["search"]["candidates"].get<int>() == 4 * 2);
}

TEST_CASE("plan --engine prices what simulate --engine prices: admission, memory share, overheads") {
  // KV-bound (70B on 2 GPUs): TensorRT-LLM's whole-request reservation and its share of the free
  // memory change the figures, so a planner that ignored them would disagree with simulate.
  const std::string work = "--model llama-3.1-70b --hardware dgx-h100 --num-requests 120 --input-len 1024 "
                           "--output-len 1024 --format json";
  std::map<std::string, double> planned;
  for (const std::string engine : {"vllm", "trtllm"}) {
    CAPTURE(engine);
    auto p = run("plan " + work + " --gpus 2 --max-num-seqs 256 --max-num-batched-tokens 8192 --engine " + engine);
    REQUIRE(p.code == 0);
    const json rec = json::parse(p.out)["recommended"];
    const json& c = rec["config"];
    auto s = run(fmt::format("simulate {} --engine {} --tp {} --pp {} --dp {} --max-num-seqs {} "
                             "--max-num-batched-tokens {} --max-model-len {} --microbatches {}",
                             work, engine, c["tp"].get<int>(), c["pp"].get<int>(), c["dp"].get<int>(),
                             c["max_num_seqs"].get<int>(), c["max_num_batched_tokens"].get<int>(),
                             c["max_model_len"].get<int>(), c["microbatches"].get<int>()));
    REQUIRE(s.code == 0);
    const json sim = json::parse(s.out);
    CHECK(rec["metrics"]["throughput_output_tok_s"] == sim["metrics"]["throughput_output_tok_s"]);
    CHECK(rec["memory_per_gpu_gib"] == sim["memory_per_gpu_gib"]);
    planned[engine] = rec["metrics"]["throughput_output_tok_s"].get<double>();
  }
  CHECK(planned["vllm"] != planned["trtllm"]);
}

TEST_CASE("every launch command asks for the memory the plan was priced with") {
  // TensorRT-LLM's flag is a fraction of what is left after weights, activations and runtime:
  // it must give the KV cache the same bytes as vLLM's fraction of the whole GPU.
  auto r = run("plan --model llama-3.1-8b --hardware dgx-h100 --gpus 1 --num-requests 20 --engine sglang --format json");
  REQUIRE(r.code == 0);
  const json rec = json::parse(r.out)["recommended"];
  const auto vllm = sp::launch_parse(sp::Engine::vllm, rec["launch"]["vllm"].get<std::string>());
  const auto trt = sp::launch_parse(sp::Engine::trtllm, rec["launch"]["trtllm"].get<std::string>());
  CHECK(vllm.gpu_memory_utilization == doctest::Approx(0.88));  // SGLang's share, the engine planned for
  const json& g = rec["memory_per_gpu_gib"];
  const double total = 80.0, fixed = g["weights"].get<double>() + g["activations"].get<double>() + g["overhead"].get<double>();
  CHECK(fixed + trt.gpu_memory_utilization * (total - fixed) == doctest::Approx(0.88 * total).epsilon(0.002));
}

TEST_CASE("plan --out writes a plan.json the runtime can read") {
  const auto out = temp_file("plan.json", "");
  auto r = run("plan --model llama-3.1-70b --hardware dgx-h100 --num-requests 200 --out " + out.string());
  REQUIRE(r.code == 0);
  const sp::PlanFile p = sp::plan_load(out);
  CHECK(p.model == "llama-3.1-70b");
  CHECK(p.hardware == "dgx-h100");
  CHECK(p.parallel.gpus() == 8);
  CHECK(p.placement.size() == 8);
  CHECK(p.prediction.contains("metrics"));
  CHECK(p.workload.num_requests == 200);
  CHECK(r.out.find(fmt::format("tp{} pp{} dp{}", p.parallel.tp, p.parallel.pp, p.parallel.dp)) != std::string::npos);
}

TEST_CASE("plan: unmeetable SLOs and models that fit nowhere exit 1 and say why") {
  auto r = run("plan --model llama-3.1-70b --hardware dgx-h100 --num-requests 100 --slo tpot_p99_ms=1");
  CHECK(r.code == 1);
  CHECK(r.err.find("no plan meets the SLOs; the closest") != std::string::npos);
  CHECK(r.err.find("tpot p99") != std::string::npos);
  CHECK(r.out.find("No recommendation") != std::string::npos);
  r = run("plan --model llama-3.1-405b --hardware dgx-h100 --gpus 4 --num-requests 10");
  CHECK(r.code == 1);
  CHECK(r.err.find("no configuration fits") != std::string::npos);
  CHECK(r.err.find("GiB") != std::string::npos);
  CHECK(lines(r.err) == 1);
}

TEST_CASE("plan: bad flags are one line and exit 2") {
  for (auto args : {"--objective speed", "--slo ttft=5", "--slo ttft_p99_ms=abc", "--engine tgi", "--gpus 64",
                    "--max-num-seqs 0", "--top 0"}) {
    CAPTURE(args);
    auto r = run(std::string("plan --model llama-3.1-8b --hardware dgx-h100 --num-requests 10 ") + args);
    CHECK(r.code == 2);
    CHECK(lines(r.err) == 1);
  }
}

TEST_CASE("sweep rows equal individual plan runs; shards merge into the whole") {
  const auto sc = temp_file("sweep.json", R"({"schema_version": 1, "name": "t",
    "base": {"model": "llama-3.1-8b", "num_requests": 150, "request_rate": 15, "slo": "ttft_p99_ms=2000"},
    "grid": {"hardware": ["dgx-h100", "dgx-a100"], "output_len": [64, "uniform:100:300"]}})");
  auto whole = run("sweep " + sc.string() + " --format json");
  REQUIRE(whole.code == 0);
  const json w = json::parse(whole.out);
  REQUIRE(w["rows"].size() == 4);
  // Row 3 is hardware=dgx-a100 with output uniform:100:300 (the first axis varies fastest).
  const json& row = w["rows"][3];
  CHECK(row["name"] == "hardware=dgx-a100 output_len=uniform:100:300");
  auto single = run("plan --model llama-3.1-8b --hardware dgx-a100 --num-requests 150 --request-rate 15 "
                    "--output-len uniform:100:300 --slo ttft_p99_ms=2000 --format json");
  REQUIRE(single.code == 0);
  const json p = json::parse(single.out);
  CHECK(row["recommended"]["config"] == p["recommended"]["config"]);
  CHECK(row["recommended"]["metrics"] == p["recommended"]["metrics"]);

  const auto a = temp_file("a.json", run("sweep " + sc.string() + " --shard 0/2 --format json").out);
  const auto b = temp_file("b.json", run("sweep " + sc.string() + " --shard 1/2 --format json").out);
  CHECK(json::parse(std::ifstream(a))["rows"].size() == 2);
  auto merged = run("sweep --merge " + a.string() + " " + b.string() + " --format json");
  REQUIRE(merged.code == 0);
  CHECK(comparable(json::parse(merged.out)) == comparable(w));
  auto partial = run("sweep --merge " + a.string() + " --format json");
  CHECK(partial.code == 2);
  CHECK(partial.err.find("missing slice(s) 1 of 2 (run them with --shard I/2)") != std::string::npos);
  auto csv = run("sweep " + sc.string() + " --format csv");
  CHECK(csv.code == 0);
  CHECK(lines(csv.out) == 5);
}

TEST_CASE("sweep: the grid's first key as written varies fastest, whatever its name") {
  // nlohmann::json sorts keys; the file's order must still decide (here not alphabetical).
  const auto sc = temp_file("order.json", R"({"schema_version": 1, "name": "o",
    "base": {"model": "llama-3.1-8b", "hardware": "dgx-h100", "num_requests": 20},
    "grid": {"output_len": [32, 64], "gpus": [1, 2]}})");
  auto r = run("sweep " + sc.string() + " --format json");
  REQUIRE(r.code == 0);
  const json w = json::parse(r.out);
  REQUIRE(w["rows"].size() == 4);
  CHECK(w["rows"][0]["name"] == "output_len=32 gpus=1");
  CHECK(w["rows"][1]["name"] == "output_len=64 gpus=1");
  CHECK(w["rows"][2]["name"] == "output_len=32 gpus=2");
}

TEST_CASE("sweep --robust picks one configuration for every traffic mix") {
  const auto sc = temp_file("robust.json", R"({"schema_version": 1, "name": "r",
    "base": {"model": "llama-3.1-8b", "hardware": "dgx-h100", "num_requests": 150, "slo": "ttft_p99_ms=3000"},
    "scenarios": [{"name": "chat", "input_len": 500, "request_rate": 20},
                  {"name": "long", "input_len": "uniform:8000:12000", "request_rate": 2}]})");
  auto r = run("sweep " + sc.string() + " --robust --format json");
  REQUIRE(r.code == 0);
  const json j = json::parse(r.out);
  REQUIRE(j["robust"]["chosen"].is_string());
  REQUIRE(j["robust"]["per_row"].size() == 2);
  for (const auto& row : j["robust"]["per_row"]) {
    CHECK(row["meets_slo"] == true);
    CHECK(row["slo_worst_ratio"].get<double>() <= 1.0);
    CHECK(row["relative_to_best"].get<double>() > 0);
  }
}

TEST_CASE("sweep: scenario files with unknown keys or bad values are one line, exit 2") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"schema_version": 1, "name": "x", "base": {"modle": "llama-3.1-8b"}})", "unknown setting 'modle'"},
      {R"({"schema_version": 1, "name": "x", "grid": {"nodes": []}})", "non-empty list"},
      {R"({"schema_version": 1, "name": "x", "base": {"nodes": "two"}})", "expected an integer"},
      {R"({"schema_version": 2, "name": "x"})", "schema_version 2"},
      {R"({"schema_version": 1, "name": "x", "extra": 1})", "extra"},
      {R"({"schema_version": 1, "name": "x", "base": {"model": "llama-3.1-8b", "hardware": "dgx-h100", "request_rate": -1}})",
       "row 0"},
  };
  for (const auto& [text, want] : cases) {
    CAPTURE(text);
    const auto f = temp_file("bad.json", text);
    auto r = run("sweep " + f.string());
    CHECK(r.code == 2);
    CHECK(r.err.find(want) != std::string::npos);
    CHECK(lines(r.err) == 1);
  }
}

}
