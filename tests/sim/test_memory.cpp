#include <doctest/doctest.h>
#include <fmt/format.h>

#include "sim/common/error.h"
#include "sim/cost/memory.h"
#include "sim/cost/ops.h"

using namespace sp;

TEST_SUITE("memory") {

TEST_CASE("Llama-3.1-70B bf16 on TP=4: about 35.3 GB of weights per GPU") {
  auto m = model_load("llama-3.1-70b");
  auto r = memory_plan(m, cluster_make("dgx-h100", 1), {.tp = 4}, {}, {});
  REQUIRE(r.per_gpu.size() == 4);
  CHECK(r.per_gpu[0].weights_bytes / 1e9 == doctest::Approx(35.3).epsilon(0.005));
  CHECK(r.fits);
}

TEST_CASE("the parts add up to the capacity when it fits") {
  auto r = memory_plan(model_load("llama-3.1-70b"), cluster_make("dgx-h100", 1), {.tp = 2, .pp = 2}, {}, {});
  REQUIRE(r.fits);
  for (const auto& g : r.per_gpu) {
    CHECK(g.total_bytes() == doctest::Approx(g.capacity_bytes));
    CHECK(g.capacity_bytes == doctest::Approx(80 * kGiB * 0.9));
    CHECK(g.kv_capacity_tokens % kKvBlockTokens == 0);
    CHECK(double(g.kv_capacity_tokens) * g.kv_bytes_per_token <= g.kv_cache_bytes);
  }
  // Stage 0 holds the embedding, stage 1 the LM head and final norm: equal sizes here.
  CHECK(r.per_gpu[0].stage == 0);
  CHECK(r.per_gpu[2].stage == 1);
}

TEST_CASE("KV bytes per token: 2 * layers * ceil(k/t) * d * b_kv") {
  auto m = model_load("llama-3.1-70b");
  CHECK(kv_bytes_per_token_layer(m, 4, DType::bf16) == 2 * 2 * 128 * 2);
  CHECK(kv_bytes_per_token_layer(m, 16, DType::bf16) == 2 * 1 * 128 * 2);  // t > k: one head each
  CHECK(kv_bytes_per_token_layer(m, 8, DType::fp8) == 2 * 1 * 128 * 1);
  auto r = memory_plan(m, cluster_make("dgx-h100", 2), {.tp = 16}, {}, {});
  CHECK(r.per_gpu[0].kv_bytes_per_token == 80 * 2 * 1 * 128 * 2);
  // MLA keeps the latent (512 + 64) per token per layer on every rank.
  CHECK(kv_bytes_per_token_layer(model_load("deepseek-v3"), 8, DType::bf16) == (512 + 64) * 2);
}

TEST_CASE("a model that does not fit says how much memory is missing") {
  auto r = memory_plan(model_load("llama-3.1-405b"), cluster_make("dgx-h100", 1), {.tp = 8}, {}, {});
  CHECK_FALSE(r.fits);
  CHECK(r.reason.find("GiB missing per GPU") != std::string::npos);
  // The figure in the reason is the report's, and it counts one request of max_model_len.
  const auto& g = r.per_gpu[0];
  const double need = g.weights_bytes + g.activation_bytes + g.overhead_bytes + g.kv_bytes_per_token * 131072.0;
  CHECK(r.missing_gib == doctest::Approx((need - g.capacity_bytes) / kGiB));
  CHECK(r.reason.find(fmt::format("; {:.1f} GiB missing per GPU", r.missing_gib)) != std::string::npos);
  auto fp8 = memory_plan(model_load("llama-3.1-405b"), cluster_make("dgx-h100", 1), {.tp = 8},
                         {.weights = DType::fp8}, {});
  CHECK(fp8.fits);
}

TEST_CASE("with several stages short of memory, the one that lacks the most is reported") {
  // 405B over 4 stages of TP=2: every stage is short; the stages differ by the embedding and
  // the LM head, so their shortfalls differ.
  auto r = memory_plan(model_load("llama-3.1-405b"), cluster_make("dgx-h100", 1), {.tp = 2, .pp = 4}, {},
                       {.max_model_len = 8192});
  CHECK_FALSE(r.fits);
  double worst = 0;
  int worst_stage = -1;
  for (const auto& g : r.per_gpu) {
    const double lack = (g.weights_bytes + g.activation_bytes + g.overhead_bytes + g.kv_bytes_per_token * 8192.0 -
                         g.capacity_bytes) / kGiB;
    if (lack > worst) worst = lack, worst_stage = g.stage;
  }
  CHECK(r.missing_gib == doctest::Approx(worst));
  CHECK(r.reason.rfind(fmt::format("stage {} ", worst_stage), 0) == 0);
}

TEST_CASE("KV room shorter than max-model-len is infeasible") {
  auto m = model_load("llama-3.1-70b");
  auto c = cluster_make("dgx-h100", 1);
  auto r = memory_plan(m, c, {.tp = 2}, {}, {.max_model_len = 1 << 30});
  CHECK_FALSE(r.fits);
  CHECK(r.reason.find("fewer than one request of --max-model-len 1073741824") != std::string::npos);
}

TEST_CASE("expert weights split over max(tp, ep)") {
  auto m = model_load("mixtral-8x7b");
  auto c = cluster_make("dgx-h100", 1);
  auto tp2 = memory_plan(m, c, {.tp = 2, .dp = 4}, {}, {});
  auto ep8 = memory_plan(m, c, {.tp = 2, .dp = 4, .ep = 8}, {}, {});
  CHECK(ep8.per_gpu[0].weights_bytes < tp2.per_gpu[0].weights_bytes * 0.3);
}

TEST_CASE("bad options are input errors") {
  auto m = model_load("llama-3.1-8b");
  auto c = cluster_make("dgx-h100", 1);
  CHECK_THROWS_WITH_AS(memory_plan(m, c, {}, {}, {.gpu_memory_utilization = 1.5}),
                       "--gpu-memory-utilization: 1.5 is out of range (use a fraction in (0, 1], e.g. 0.9)",
                       InputError);
}

}  // TEST_SUITE
