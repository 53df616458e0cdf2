// The shardplan command as users and scripts see it: exit codes, one-line errors, JSON keys.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/cli/run_cli.h"

using sp::test::lines;
using sp::test::run;

TEST_SUITE("cli") {

TEST_CASE("memory --format json has the contract's keys") {
  auto r = run("memory --model llama-3.1-70b --hardware dgx-h100 --tp 4 --format json");
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["fits"] == true);
  CHECK(j["config"]["tp"] == 4);
  REQUIRE(j["per_gpu"].size() == 4);
  for (auto key : {"rank", "stage", "weights_gib", "activation_gib", "overhead_gib", "kv_cache_gib",
                   "kv_capacity_tokens", "total_gib", "capacity_gib"}) {
    CHECK(j["per_gpu"][0].contains(key));
  }
  CHECK(j["per_gpu"][0]["weights_gib"].get<double>() == doctest::Approx(35.3e9 / (1 << 30)).epsilon(0.005));
}

TEST_CASE("estimate --format json has the contract's keys") {
  auto r = run("estimate --model llama-3.1-8b --hardware dgx-h100 --tp 1 --input-len 512 --output-len 64 "
               "--batch-size 4 --format json");
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  for (auto key : {"prefill_ms", "decode_step_ms", "ttft_ms", "tpot_ms", "e2e_ms", "throughput_output_tok_s"}) {
    CHECK(j[key].get<double>() > 0);
  }
  for (auto key : {"compute_ms", "memory_ms", "communication_ms"}) CHECK(j["breakdown"].contains(key));
}

TEST_CASE("collective sweeps sizes like nccl-tests") {
  auto r = run("collective --hardware dgx-h100 --op allreduce --ranks 8 --sweep 8:8G --format json");
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["op"] == "allreduce");
  CHECK(j["ranks"] == 8);
  REQUIRE(j["points"].size() == 31);  // 8 B to 8 GiB doubling
  auto last = j["points"].back();
  CHECK(last["bytes"] == 8589934592LL);
  CHECK(last["busbw_gb_s"].get<double>() == doctest::Approx(450 * 0.82).epsilon(0.01));
  CHECK(j["points"][0]["time_us"].get<double>() > 10);  // latency-bound: base + 14 steps
}

TEST_CASE("collective --gpu-ids places a send/recv across nodes") {
  auto in = nlohmann::json::parse(run("collective --hardware dgx-h100 --nodes 2 --op sendrecv --ranks 2 --bytes 1G --format json").out);
  auto across = nlohmann::json::parse(
      run("collective --hardware dgx-h100 --nodes 2 --op sendrecv --ranks 2 --gpu-ids 0,8 --bytes 1G --format json").out);
  CHECK(in["nodes_spanned"] == 1);
  CHECK(across["nodes_spanned"] == 2);
  CHECK(across["points"][0]["busbw_gb_s"].get<double>() == doctest::Approx(50 * 0.94).epsilon(0.01));
  CHECK(in["points"][0]["busbw_gb_s"].get<double>() > 5 * across["points"][0]["busbw_gb_s"].get<double>());
  auto bad = run("collective --hardware dgx-h100 --op sendrecv --ranks 2 --gpu-ids 0,0");
  CHECK(bad.code == 2);
  CHECK(bad.err == "shardplan: error: --gpu-ids: GPU 0 is named twice\n");
  bad = run("collective --hardware dgx-h100 --op sendrecv --ranks 2 --gpu-ids 0,9");
  CHECK(bad.err == "shardplan: error: --gpu-ids: GPU 9 does not exist (use 0 to 7)\n");
}

TEST_CASE("the demo's table names the deployment") {
  auto r = run("estimate --model llama-3.1-70b --hardware dgx-h100 --tp 8");
  REQUIRE(r.code == 0);
  CHECK(r.out.rfind("llama-3.1-70b on 1 x dgx-h100 (8 GPUs): tp=8 pp=1 dp=1 ep=1", 0) == 0);
  CHECK(r.err.empty());
}

TEST_CASE("infeasible memory: exit 1, the report on stdout, one line on stderr") {
  auto r = run("memory --model llama-3.1-405b --hardware dgx-h100 --tp 8 --format json");
  CHECK(r.code == 1);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["fits"] == false);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.rfind("shardplan: infeasible: stage 0 needs", 0) == 0);
}

TEST_CASE("bad input: exit 2 and one line that says what and how to fix") {
  struct Case {
    std::string args, err;
  };
  const Case cases[] = {
      {"memory --model llama-3.1-70b --hardware dgx-h100 --tp 3",
       "shardplan: error: --tp: 3 does not divide model 'llama-3.1-70b' (64 attention heads, 8 KV heads); valid "
       "degrees up to 8: 1, 2, 4, 8\n"},
      {"memory --model llama-3.1-8b --hardware dgx-h100 --pp 40",
       "shardplan: error: --pp: 40 stages exceed the 32 layers of 'llama-3.1-8b'; use --pp 1 to 32\n"},
      {"memory --model llama-3.1-8b --hardware dgx-h100 --tp 8 --dp 2",
       "shardplan: error: tp*pp*dp = 8*1*2 = 16 GPUs, but 1 node(s) of dgx-h100 have 8; lower the degrees or raise "
       "--nodes\n"},

      {"memory --model llama-3.1-8b --hardware tpu-v5",
       "shardplan: error: --hardware: unknown system 'tpu-v5' (bundled: aws-p6-b200, dgx-a100, dgx-b200, dgx-h100, dgx-h200, "
       "h100-pcie, l40s, mi300x; or pass a path to a system profile)\n"},
      {"memory --model llama-3.1-8b --hardware dgx-h100 --nodes -1",
       "shardplan: error: --nodes: -1 is out of range (use 1 to 4096)\n"},
      {"memory --model llama-3.1-8b --hardware dgx-h100 --dtype int4",
       "shardplan: error: --dtype: unknown precision 'int4' (use bf16 or fp8)\n"},
      {"memory --model llama-3.1-8b --hardware dgx-h100 --format yaml",
       "shardplan: error: --format: unknown format 'yaml' (use table or json)\n"},
      {"estimate --model llama-3.1-8b --hardware dgx-h100 --batch-size 0",
       "shardplan: error: --batch-size: 0 is out of range (use 1 to 1073741824)\n"},
      {"collective --hardware dgx-h100 --op broadcast --ranks 8",
       "shardplan: error: --op: unknown collective 'broadcast' (use allreduce, allgather, reducescatter, alltoall or "
       "sendrecv)\n"},
      {"collective --hardware dgx-h100 --op allreduce --ranks 16",
       "shardplan: error: --ranks: 16 is out of range: 1 node(s) of dgx-h100 have 8 GPUs; raise --nodes or lower "
       "--ranks\n"},
      {"collective --hardware dgx-h100 --op allreduce --ranks 8 --bytes 12Q",
       "shardplan: error: --bytes: unknown unit in '12Q' (use K, M or G)\n"},
      {"memory --model /nonexistent/config.json --hardware dgx-h100",
       "shardplan: error: --model: no such file '/nonexistent/config.json'\n"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args);
    auto r = run(c.args);
    CHECK(r.code == 2);
    CHECK(r.err == c.err);
    CHECK(r.out.empty());
  }
  // The bundled list grows with the models folder: check its shape, not its members.
  auto r = run("memory --model gpt-5 --hardware dgx-h100");
  CHECK(r.code == 2);
  CHECK(r.err.starts_with("shardplan: error: --model: unknown model 'gpt-5' (bundled: deepseek-v3, "));
  CHECK(r.err.find("llama-3.1-70b") != std::string::npos);
  CHECK(r.err.ends_with("; or pass a path to a config.json)\n"));
}

TEST_CASE("usage errors are one line with exit 2") {
  for (std::string args : {"", "memory", "memory --model llama-3.1-8b --hardware dgx-h100 --tp x",
                           "frobnicate", "memory --model llama-3.1-8b --hardware dgx-h100 --bogus 1"}) {
    CAPTURE(args);
    auto r = run(args);
    CHECK(r.code == 2);
    CHECK(lines(r.err) == 1);
    CHECK(r.err.rfind("shardplan: error: ", 0) == 0);
  }
}

TEST_CASE("a malformed config.json names file, line and column") {
  auto path = std::filesystem::temp_directory_path() / "shardplan_bad_config.json";
  std::ofstream(path) << "{\n  \"architectures\": [\"LlamaForCausalLM\"],\n  \"hidden_size\": 4096,,\n}\n";
  auto r = run("memory --model " + path.string() + " --hardware dgx-h100");
  CHECK(r.code == 2);
  CHECK(r.err.rfind("shardplan: error: " + path.string() + ":3:23: malformed JSON: syntax error while parsing object key", 0) == 0);
  CHECK(lines(r.err) == 1);
  std::filesystem::remove(path);
}

TEST_CASE("simulate --format json has the contract's keys and is deterministic") {
  const std::string args =
      "simulate --model llama-3.1-8b --hardware dgx-h100 --tp 2 --dp 2 --num-requests 300 --input-len uniform:100:900 "
      "--output-len lognormal:120:60 --request-rate 40 --seed 7 --max-model-len 8192 --format json";
  auto a = run(args), b = run(args);
  REQUIRE(a.code == 0);
  auto ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
  for (auto key : {"ttft_ms", "tpot_ms", "itl_ms", "e2e_ms"})
    for (auto q : {"mean", "p50", "p90", "p99"}) CHECK(ja["metrics"][key][q].get<double>() > 0);
  for (auto key : {"throughput_output_tok_s", "throughput_total_tok_s", "requests_per_s", "makespan_s",
                   "gpu_busy_fraction", "bubble_fraction", "preemptions", "peak_kv_fraction"})
    CHECK(ja["metrics"].contains(key));
  for (auto key : {"weights", "kv_cache", "activations", "overhead", "total", "capacity"})
    CHECK(ja["memory_per_gpu_gib"].contains(key));
  for (auto key : {"allreduce_bytes", "p2p_bytes", "all2all_bytes", "time_fraction"})
    CHECK(ja["communication"].contains(key));
  CHECK(ja["config"]["gpus"] == 4);
  CHECK(ja["metrics"]["finished"] == 300);
  CHECK(ja["simulator"]["events"].get<int64_t>() > 300);
  // Byte-identical apart from the measured wall time.
  ja["simulator"].erase("wall_s");
  jb["simulator"].erase("wall_s");
  CHECK(ja.dump() == jb.dump());
  auto other = nlohmann::json::parse(run(args.substr(0, args.find("--seed")) + "--seed 8 --format json").out);
  CHECK(other["metrics"]["e2e_ms"]["mean"] != ja["metrics"]["e2e_ms"]["mean"]);
}

TEST_CASE("simulate --timeline writes a Chrome trace") {
  auto path = std::filesystem::temp_directory_path() / "shardplan_timeline.json";
  auto r = run("simulate --model llama-3.1-8b --hardware dgx-h100 --tp 2 --pp 2 --num-requests 8 --input-len 256 "
               "--output-len 8 --max-model-len 4096 --timeline " + path.string());
  REQUIRE(r.code == 0);
  std::ifstream in(path);
  auto j = nlohmann::json::parse(in);
  int gpu = 0, link = 0, names = 0;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] == "M") ++names;
    else if (e["tid"].get<int>() < 1000000) ++gpu;
    else ++link;
  }
  CHECK(gpu > 0);
  CHECK(link > 0);   // PP hand-offs and TP AllReduces
  CHECK(names >= 7); // a replica and 4 GPUs + PP link + 2 TP link tracks
  std::filesystem::remove(path);
}

TEST_CASE("simulate: requests that can never fit are reported, the rest runs, exit 1") {
  auto r = run("simulate --model llama-3.1-8b --hardware dgx-h100 --num-requests 20 --input-len uniform:100:6000 "
               "--output-len 100 --max-model-len 4096 --format json");
  CHECK(r.code == 1);
  auto j = nlohmann::json::parse(r.out);
  const int64_t rejected = j["metrics"]["rejected"];
  CHECK(rejected > 0);
  CHECK(j["metrics"]["finished"].get<int64_t>() + rejected == 20);
  CHECK(j["rejected"][0]["reason"].get<std::string>().find("exceeds max-model-len 4096") != std::string::npos);
  // The reason gives the request's own lengths, not lengths clamped to max-model-len (at most
  // 4096 + 100 then): uniform:100:6000 draws beyond that.
  int64_t longest = 0;
  for (const auto& x : j["rejected"]) {
    const std::string why = x["reason"];
    longest = std::max<int64_t>(longest, std::stoll(why.substr(why.find("= ") + 2)));
  }
  CHECK(longest > 4096 + 100);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.rfind("shardplan: infeasible: ", 0) == 0);
}

TEST_CASE("simulate: bad workload input is one line and exit 2") {
  auto trace = std::filesystem::temp_directory_path() / "shardplan_bad_trace.csv";
  std::ofstream(trace) << "arrival_s,input_tokens,output_tokens\n0.0,100,10\n0.5,abc,10\n";
  struct Case {
    std::string args, err_prefix;
  };
  const std::string base = "simulate --model llama-3.1-8b --hardware dgx-h100 --max-model-len 4096 ";
  const Case cases[] = {
      {base + "--request-rate 0", "shardplan: error: --request-rate: 0 is out of range"},
      {base + "--concurrency 0", "shardplan: error: --concurrency: 0 is out of range"},
      {base + "--input-len normal:5", "shardplan: error: --input-len: 'normal:5' is not a length"},
      {base + "--output-len -3", "shardplan: error: --output-len:"},
      {base + "--scheduler fifo", "shardplan: error: --scheduler: unknown scheduler 'fifo' (use continuous or static)"},
      {base + "--router random", "shardplan: error: --router: unknown router 'random'"},
      {base + "--request-rate 5 --concurrency 4", "shardplan: error: --request-rate, --concurrency and --trace:"},
      {base + "--trace " + trace.string(), "shardplan: error: " + trace.string() + ":3:"},
      {base + "--trace /nonexistent.csv", "shardplan: error: /nonexistent.csv: no such file"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args);
    auto r = run(c.args);
    CHECK(r.code == 2);
    CHECK(lines(r.err) == 1);
    CHECK(r.err.rfind(c.err_prefix, 0) == 0);
  }
  std::filesystem::remove(trace);
}

TEST_CASE("simulate --no-chunked-prefill sizes the token budget to the longest request, as vLLM does") {
  // 8 prompts of 9000 tokens, above the 8192 default budget: without chunking they must still
  // be scheduled, together, not one request at a time.
  auto r = run("simulate --model llama-3.1-8b --hardware dgx-h100 --no-chunked-prefill --input-len 9000 "
               "--output-len 256 --num-requests 8 --max-model-len 16384 --format json");
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["config"]["max_num_batched_tokens"] == 16384);
  auto one = run("simulate --model llama-3.1-8b --hardware dgx-h100 --no-chunked-prefill --input-len 9000 "
                 "--output-len 256 --num-requests 1 --max-model-len 16384 --format json");
  REQUIRE(one.code == 0);
  // One request at a time would take 8 times as long as one alone (it did, before the fix).
  CHECK(j["metrics"]["makespan_s"].get<double>() <
        3 * nlohmann::json::parse(one.out)["metrics"]["makespan_s"].get<double>());
}

TEST_CASE("simulate --no-chunked-prefill: the raised budget prices memory as if it had been given") {
  // TensorRT-LLM's share depends on the activations, which grow with the budget.
  const std::string base = "simulate --model llama-3.1-8b --hardware dgx-h100 --engine trtllm --no-chunked-prefill "
                           "--max-model-len 65536 --num-requests 2 --format json";
  auto implied = run(base);
  auto given = run(base + " --max-num-batched-tokens 65536");
  REQUIRE(implied.code == 0);
  REQUIRE(given.code == 0);
  CHECK(nlohmann::json::parse(implied.out)["memory_per_gpu_gib"] == nlohmann::json::parse(given.out)["memory_per_gpu_gib"]);
}

TEST_CASE("simulate: a metric with no samples is shown as such, not as 0.00") {
  auto r = run("simulate --model llama-3.1-8b --hardware dgx-h100 --num-requests 4 --output-len 1");
  REQUIRE(r.code == 0);
  CHECK(r.out.find("  tpot                -          -          -          -\n") != std::string::npos);
  auto j = run("simulate --model llama-3.1-8b --hardware dgx-h100 --num-requests 4 --output-len 1 --format json");
  REQUIRE(j.code == 0);
  const auto m = nlohmann::json::parse(j.out)["metrics"];
  CHECK(m["tpot_ms"]["count"] == 0);
  CHECK(m["ttft_ms"]["count"] == 4);
}

TEST_CASE("simulate: a deployment that does not fit is infeasible before simulating") {
  auto r = run("simulate --model llama-3.1-405b --hardware dgx-h100 --tp 8");
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("shardplan: infeasible: stage 0 needs", 0) == 0);
}

TEST_CASE("accuracy and calibrate: bad input is one line and exit 2") {
  auto r = run("accuracy /nonexistent/published.json");
  CHECK(r.code == 2);
  CHECK(r.err == "shardplan: error: /nonexistent/published.json: no such file\n");
  r = run("calibrate --from-silicon /nonexistent --system dgx-h100");
  CHECK(r.code == 2);
  CHECK(r.err ==
        "shardplan: error: --from-silicon: no folder /nonexistent (give the measured tables' folder, e.g. "
        "../shared/data/silicon)\n");
  r = run("calibrate --from-silicon /nonexistent --system dgx-h100 --engine sglang");
  CHECK(r.code == 2);
  CHECK(r.err == "shardplan: error: --engine: 'sglang' has no measured tables (use vllm or trtllm)\n");
}

TEST_CASE("accuracy --format json on a small file: one predicted record, one not, and the families") {
  const auto path = std::filesystem::temp_directory_path() / "sp_accuracy_small.json";
  std::ofstream(path) << R"([
    {"id": "a", "hardware": {"gpu_key": "H100-SXM", "count": 8, "interconnect": "NVLink/NVSwitch intra-node"},
     "model": {"name": null}, "parallelism": {}, "precision": "fp16", "framework": "NCCL", "tags": ["collective"],
     "workload": {"collective": "all_reduce", "message_size": "64MiB", "message_size_bytes": 67108864},
     "metric": {"name": "allreduce_time_median", "unit": "ms"}, "value": 0.322},
    {"id": "b", "hardware": {"gpu_key": "TPU v5", "count": 1}, "model": {"name": "Llama 3.1 8B"},
     "parallelism": {"tp": 1}, "precision": "FP8", "framework": "TensorRT-LLM",
     "workload": {"input_len": 128, "output_len": 128}, "metric": {"name": "ttft", "unit": "ms"}, "value": 7}
  ])";
  auto r = run("accuracy " + path.string() + " --format json");
  std::filesystem::remove(path);
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["records"].size() == 1);
  CHECK(j["records"][0]["id"] == "a");
  CHECK(j["records"][0]["by"] == "collective");
  CHECK(j["unmapped"][0]["reason"] == "GPU 'TPU v5' has no bundled system");
  CHECK(j["families"]["collectives"]["count"] == 1);
}

TEST_CASE("a profile key starting with x- is an extension, not an error") {
  const std::string sys = std::string(SHARDPLAN_SOURCE_DIR) + "/tests/bad_inputs/files/sys-x-extension.json";
  auto r = run("memory --model llama-3.1-8b --hardware " + sys + " --format json");
  CHECK(r.code == 0);
  CHECK(r.err.empty());
}

}  // TEST_SUITE
