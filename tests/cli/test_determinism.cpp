// Same inputs and seed, byte-identical output: every command's JSON (apart from the measured
// `wall_s`) and simulate's timeline file; plan and sweep, which evaluate on a thread pool, give
// the same bytes with 1, 2 and 3 threads.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "tests/cli/run_cli.h"

using sp::test::run;

namespace {

// The output with the one line that measures the host rather than the model removed.
std::string without_wall_time(const std::string& json) {
  std::istringstream in(json);
  std::string line, kept;
  while (std::getline(in, line))
    if (line.find("\"wall_s\":") == std::string::npos) kept += line + "\n";
  return kept;
}

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_SUITE("determinism") {

TEST_CASE("every command prints the same bytes twice") {
  const std::string trace = std::string(SHARDPLAN_SOURCE_DIR) + "/tests/fuzz/corpus/trace/azure-head.csv";
  const std::string sim = "simulate --model llama-3.1-70b --hardware dgx-h100 --max-model-len 16384 --format json ";
  for (std::string args : {
           std::string("memory --model deepseek-v3 --hardware dgx-h200 --nodes 2 --tp 8 --pp 2 --format json"),
           std::string("estimate --model mixtral-8x7b --hardware dgx-h100 --tp 4 --ep 4 --batch-size 16 --format json"),
           std::string("collective --hardware dgx-h100 --nodes 4 --op allreduce --ranks 32 --sweep 8:1G --format json"),
           sim + "--tp 4 --pp 2 --num-requests 400 --input-len lognormal:1024:512 --output-len uniform:16:256 "
                 "--request-rate 20 --seed 3",
           sim + "--nodes 2 --tp 4 --dp 4 --router least-outstanding --num-requests 300 --concurrency 24 --seed 11",
           sim + "--tp 8 --scheduler static --batch-size 32 --num-requests 100 --input-len normal:800:200",
           sim + "--tp 8 --trace " + trace,
       }) {
    CAPTURE(args);
    const auto a = run(args), b = run(args);
    REQUIRE(a.code == 0);
    CHECK(b.code == 0);
    CHECK(a.out.size() > 100);
    CHECK(without_wall_time(a.out) == without_wall_time(b.out));
  }
}

TEST_CASE("plan and sweep print the same bytes whatever the thread count") {
  const std::string sc = std::string(SHARDPLAN_SOURCE_DIR) + "/examples/h100-vs-h200-llama70b.json";
  for (std::string args : {
           std::string("plan --model llama-3.1-70b --hardware dgx-h100 --nodes 2 --num-requests 300 "
                       "--input-len lognormal:1024:512 --request-rate 12 --slo ttft_p99_ms=3000 --format json"),
           std::string("plan --model mixtral-8x7b --hardware dgx-h100 --num-requests 200 --objective cost --format json"),
           "sweep " + sc + " --format json",
       }) {
    CAPTURE(args);
    const auto one = run(args + " --threads 1");
    REQUIRE(one.code == 0);
    CHECK(one.out.size() > 1000);
    for (int t : {2, 3}) {
      const auto other = run(args + " --threads " + std::to_string(t));
      CHECK(other.code == 0);
      CHECK(without_wall_time(one.out) == without_wall_time(other.out));
    }
  }
}

TEST_CASE("simulate writes the same timeline twice") {
  const auto dir = std::filesystem::temp_directory_path();
  const auto t1 = dir / ("shardplan_det_a_" + std::to_string(::getpid()) + ".json");
  const auto t2 = dir / ("shardplan_det_b_" + std::to_string(::getpid()) + ".json");
  const std::string args = "simulate --model llama-3.1-8b --hardware dgx-h100 --tp 2 --pp 2 --num-requests 50 "
                           "--input-len uniform:64:512 --output-len 16 --request-rate 30 --seed 5 --timeline ";
  REQUIRE(run(args + t1.string()).code == 0);
  REQUIRE(run(args + t2.string()).code == 0);
  const std::string a = file_bytes(t1);
  CHECK(a.size() > 1000);
  CHECK(a == file_bytes(t2));
  std::filesystem::remove(t1);
  std::filesystem::remove(t2);
}

}  // TEST_SUITE
