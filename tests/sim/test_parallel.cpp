#include <doctest/doctest.h>

#include <numeric>

#include "sim/common/error.h"
#include "sim/parallel/parallel_config.h"

using namespace sp;

TEST_SUITE("parallel") {

TEST_CASE("tp must divide heads, with vLLM's KV-head rule") {
  auto m = model_load("llama-3.1-70b");  // 64 heads, 8 KV heads
  CHECK(valid_tp_degrees(m, 64) == std::vector<int>{1, 2, 4, 8, 16, 32, 64});
  auto c = cluster_make("dgx-h100", 1);
  CHECK_THROWS_WITH_AS(parallel_validate({.tp = 3}, m, c),
                       "--tp: 3 does not divide model 'llama-3.1-70b' (64 attention heads, 8 KV heads); valid degrees "
                       "up to 8: 1, 2, 4, 8",
                       InputError);
  CHECK_NOTHROW(parallel_validate({.tp = 8}, m, c));
}

TEST_CASE("pp larger than the layer count") {
  auto m = model_load("llama-3.1-8b");
  auto c = cluster_make("dgx-h100", 8);
  CHECK_THROWS_WITH_AS(parallel_validate({.pp = 33}, m, c),
                       "--pp: 33 stages exceed the 32 layers of 'llama-3.1-8b'; use --pp 1 to 32", InputError);
}

TEST_CASE("more GPUs than the system has") {
  auto m = model_load("llama-3.1-8b");
  auto c = cluster_make("dgx-h100", 1);
  CHECK_THROWS_WITH_AS(parallel_validate({.tp = 4, .pp = 2, .dp = 2}, m, c),
                       "tp*pp*dp = 4*2*2 = 16 GPUs, but 1 node(s) of dgx-h100 have 8; lower the degrees or raise "
                       "--nodes",
                       InputError);
}

TEST_CASE("expert parallelism only for MoE, nested with TP") {
  auto c = cluster_make("dgx-h100", 1);
  CHECK_THROWS_WITH_AS(parallel_validate({.tp = 2, .ep = 2}, model_load("llama-3.1-8b"), c),
                       "--ep: model 'llama-3.1-8b' has no experts; use --ep 1", InputError);
  auto mx = model_load("mixtral-8x7b");
  CHECK_NOTHROW(parallel_validate({.tp = 4, .ep = 4}, mx, c));
  CHECK_NOTHROW(parallel_validate({.tp = 2, .dp = 4, .ep = 8}, mx, c));
  CHECK_THROWS_AS(parallel_validate({.tp = 4, .ep = 3}, mx, c), InputError);
}

TEST_CASE("stages are balanced and cover every layer") {
  for (int L : {32, 61, 80, 126}) {
    for (int p = 1; p <= 8; ++p) {
      auto n = stage_layer_counts(L, p);
      CHECK(std::accumulate(n.begin(), n.end(), 0) == L);
      auto [lo, hi] = std::minmax_element(n.begin(), n.end());
      CHECK(*hi - *lo <= 1);
      CHECK(n.back() == *lo);  // the last stage carries the LM head, so it gets no extra layer
    }
  }
  CHECK(stage_layer_counts(80, 3) == std::vector<int>{27, 27, 26});
  CHECK(stage_first_layers(80, 3) == std::vector<int>{0, 27, 54});
}

TEST_CASE("ranks are TP-innermost") {
  ParallelConfig pc{.tp = 4, .pp = 2, .dp = 2};
  CHECK(tp_group_gpus(pc, 1, 1) == std::vector<int>{12, 13, 14, 15});
  CHECK(pc.rank(0, 1, 0) == 4);
}

}  // TEST_SUITE
