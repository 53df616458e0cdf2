#include <doctest/doctest.h>

#include "sim/accuracy/baseline.h"
#include "sim/accuracy/harness.h"
#include "sim/accuracy/record_map.h"

using namespace sp;

namespace {
PublishedRecord offline_record() {
  PublishedRecord r;
  r.id = "r1";
  r.gpu_key = "H100-SXM";
  r.gpu_count = 2;
  r.model = "Llama 3.1 70B";
  r.tp = 2;
  r.pp = 1;
  r.precision = "FP8";
  r.input_len = 128;
  r.output_len = 128;
  r.concurrency = "unbounded (infinite request rate)";
  r.framework = "TensorRT-LLM 0.15.0";
  r.metric = "output_throughput_total";
  r.unit = "tokens/s";
  r.value = 6000;
  return r;
}
}  // namespace

TEST_SUITE("accuracy") {

TEST_CASE("MAPE and median of absolute errors") {
  const FamilyStats f = family_stats("x", {-10, 20, 30, -40});
  CHECK(f.count == 4);
  CHECK(f.median_ape == doctest::Approx(25));
  CHECK(f.mape == doctest::Approx(25));
  CHECK(family_stats("y", {}).count == 0);
}

TEST_CASE("Kendall tau counts pairs within groups only, ties neither way") {
  // Group 1 ordered right (3 pairs concordant); group 2 one pair reversed; group 3 a tie.
  const RankingStats s = ranking_stats({{{1, 10}, {2, 20}, {3, 30}}, {{5, 2}, {6, 1}}, {{1, 1}, {1, 2}}, {{9, 9}}});
  CHECK(s.groups == 3);
  CHECK(s.concordant == 3);
  CHECK(s.discordant == 1);
  CHECK(s.tau == doctest::Approx(0.5));
}

TEST_CASE("records map to the prediction that answers them, or say why not") {
  RecordMapping m = record_map(offline_record());
  REQUIRE(m.task.has_value());
  CHECK(m.task->kind == TaskKind::offline);
  CHECK(m.task->system == "dgx-h100");
  CHECK(m.task->model == "llama-3.1-70b");
  CHECK(m.task->engine == Engine::trtllm);
  CHECK(m.task->precision.weights == DType::fp8);
  PublishedRecord r = offline_record();
  r.gpu_key = "RTX-PRO-6000-Blackwell-Server";
  CHECK(record_map(r).reason == "GPU 'RTX-PRO-6000-Blackwell-Server' has no bundled system");
  r = offline_record();
  r.precision = "FP4";
  CHECK(record_map(r).reason == "precision 'FP4' is not modelled (bf16 and fp8 are)");
  r = offline_record();
  r.metric = "ttft";
  r.batch = 1;
  CHECK(record_map(r).task->kind == TaskKind::ttft);
  r = offline_record();
  r.metric = "output_throughput_per_gpu";
  r.batch = 64;
  r.concurrency.clear();
  REQUIRE(record_map(r).task.has_value());
  CHECK(record_map(r).task->per_gpus == 2);
}

TEST_CASE("collective records: placement from the interconnect text, sizes from the text") {
  PublishedRecord r;
  r.id = "c1";
  r.gpu_key = "B200";
  r.gpu_count = 32;
  r.interconnect = "4 nodes x 8 GPUs; NVLink5 intra";
  r.collective = "all_reduce";
  r.message_size = "16MiB";
  r.framework = "NCCL";
  r.metric = "allreduce_busbw";
  r.tags = {"collective"};
  const RecordMapping m = record_map(r);
  REQUIRE(m.task.has_value());
  CHECK(m.task->nodes == 4);
  CHECK(m.task->ranks_per_node == 8);
  CHECK(m.task->bytes == 16.0 * 1024 * 1024);
  CHECK(m.task->system == "dgx-b200");
  // An EFA network is AWS's P6-B200, not the DGX's InfiniBand.
  r.interconnect = "4 nodes x 8 GPUs; NVLink5 intra, 8x 50GBps EFA v4 per node inter-node";
  REQUIRE(record_map(r).task.has_value());
  CHECK(record_map(r).task->system == "aws-p6-b200");
  CHECK(record_map(r).task->nodes == 4);
  r.gpu_key = "H100-SXM";
  CHECK_FALSE(record_map(r).task.has_value());
  CHECK(record_map(r).reason == "an AWS EFA network with GPU 'H100-SXM' is not a bundled system (aws-p6-b200 is)");
  r.gpu_key = "B200";
  // A network the record does not describe stays unmapped.
  r.interconnect = "2 nodes x 8 GPUs; inter-node network not described in vidur docs";
  r.gpu_count = 16;
  CHECK_FALSE(record_map(r).task.has_value());
  CHECK(size_parse("4GiB") == 4.0 * (1 << 30));
  CHECK(size_parse("1073741824 B") == 1073741824.0);
  CHECK_FALSE(size_parse("large messages").has_value());
}

TEST_CASE("the gate fails a family whose MAPE rose more than the tolerance, or that lost records") {
  AccuracyReport r;
  r.families = {FamilyStats{.name = "latency", .count = 8, .median_ape = 5, .mape = 9}};
  json base = accuracy_baseline_json(r);
  CHECK(accuracy_regressions(r, base, "b.json").empty());
  r.families[0].mape = 11.5;
  CHECK(accuracy_regressions(r, base, "b.json") ==
        std::vector<std::string>{"latency: MAPE 11.50% is more than 2 points above the committed 9.00%"});
  r.families[0].mape = 10.9;
  r.families[0].count = 7;
  CHECK(accuracy_regressions(r, base, "b.json") ==
        std::vector<std::string>{"latency: 7 records predicted, 8 committed; a record stopped mapping"});
}

}  // TEST_SUITE
