// kernels/cpu: each kernel against values worked out by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "kernels/cpu/activation.h"
#include "kernels/cpu/attention.h"
#include "kernels/cpu/embedding.h"
#include "kernels/cpu/norm.h"
#include "kernels/cpu/rotary.h"

using namespace sp::kernels;

TEST_SUITE("kernels") {

TEST_CASE("residual_rmsnorm adds the residual, then normalises by the RMS and scales") {
  std::vector<float> x{1, 2, 3, 4}, res{1, 0, -1, 0}, w{1, 2};
  residual_rmsnorm(x, res, w, 2, 0.0f);
  // residual rows become (2, 2) and (2, 4); RMS sqrt(4) = 2 and sqrt(10).
  CHECK(res == std::vector<float>{2, 2, 2, 4});
  CHECK(x[0] == doctest::Approx(1.0));
  CHECK(x[1] == doctest::Approx(2.0));
  CHECK(x[2] == doctest::Approx(2 / std::sqrt(10.0)));
  CHECK(x[3] == doctest::Approx(2 * 4 / std::sqrt(10.0)));
}

TEST_CASE("rotary leaves position 0 alone and rotates pairs (i, i + d/2) by pos * theta^(-2i/d)") {
  // One row of stride 6: a 2-column prefix that must stay untouched, then one head of d = 4.
  std::vector<float> x{9, 9, 1, 2, 3, 4};
  const std::vector<int> p0{0};
  rotary_apply(x, 1, 6, 2, 1, 4, p0, 100.0f);
  CHECK(x == std::vector<float>{9, 9, 1, 2, 3, 4});
  const std::vector<int> p1{1};
  rotary_apply(x, 1, 6, 2, 1, 4, p1, 100.0f);
  // Pair (1, 3) turns by 1 rad, pair (2, 4) by 100^(-1/2) = 0.1 rad.
  CHECK(x[2] == doctest::Approx(1 * std::cos(1.0) - 3 * std::sin(1.0)));
  CHECK(x[4] == doctest::Approx(3 * std::cos(1.0) + 1 * std::sin(1.0)));
  CHECK(x[3] == doctest::Approx(2 * std::cos(0.1) - 4 * std::sin(0.1)));
  CHECK(x[5] == doctest::Approx(4 * std::cos(0.1) + 2 * std::sin(0.1)));
  CHECK(x[0] == 9);
}

TEST_CASE("attention is causal, softmax-weighted, and maps query heads to KV heads by group") {
  // Two query heads of d = 2 sharing one KV head (group 2); 3 cached positions.
  const AttentionHeads hd{.heads = 2, .kv_heads = 1, .d = 2, .q_head0 = 0, .kv_head0 = 0, .group = 2};
  const std::vector<float> k{0, 0, 0, 0, 0, 0};        // equal scores: plain averages
  const std::vector<float> v{1, 10, 2, 20, 3, 30};
  std::vector<float> q(2 * 4, 1.0f), out(2 * 4);
  // Queries at positions 1 and 2: the first sees V rows 0-1, the second rows 0-2.
  attention_causal(q, 4, 2, 1, k, v, hd, out);
  CHECK(out[0] == doctest::Approx(1.5));
  CHECK(out[1] == doctest::Approx(15));
  CHECK(out[2] == doctest::Approx(1.5));  // second head, same KV head
  CHECK(out[4] == doctest::Approx(2));
  CHECK(out[7] == doctest::Approx(20));

  // A key aligned with the query dominates: scores 0 and 100/sqrt(2).
  const std::vector<float> k2{0, 0, 10, 10};
  const std::vector<float> v2{1, 1, 5, 5};
  std::vector<float> q2{10, 10, 10, 10}, out2(4);
  attention_causal(q2, 4, 1, 1, k2, v2, hd, out2);
  CHECK(out2[0] == doctest::Approx(5).epsilon(1e-6));

  // Rank 1 of a TP=2 split holds query head 1 and KV head 1 of a 2-head, 2-KV-head model.
  const AttentionHeads r1{.heads = 1, .kv_heads = 1, .d = 2, .q_head0 = 1, .kv_head0 = 1, .group = 1};
  std::vector<float> q3{1, 1}, out3(2);
  attention_causal(q3, 2, 1, 0, std::vector<float>{0, 0}, std::vector<float>{7, 8}, r1, out3);
  CHECK(out3 == std::vector<float>{7, 8});
}

TEST_CASE("silu_mul multiplies silu(gate) by up, per row") {
  const std::vector<float> gu{0, 2, 3, 4, 1, -1, 5, 6};  // rows: gate (0, 2) up (3, 4); gate (1, -1) up (5, 6)
  std::vector<float> out(4);
  silu_mul(gu, out, 2, 2);
  auto silu = [](double g) { return g / (1 + std::exp(-g)); };
  CHECK(out[0] == doctest::Approx(0));
  CHECK(out[1] == doctest::Approx(silu(2) * 4));
  CHECK(out[2] == doctest::Approx(silu(1) * 5));
  CHECK(out[3] == doctest::Approx(silu(-1) * 6));
}

TEST_CASE("vocab-parallel embedding fills owned rows and zeroes the others; argmax takes the first maximum") {
  const std::vector<float> table{1, 2, 3, 4};  // vocabulary rows 10 and 11, h = 2
  const std::vector<int32_t> tokens{11, 3, 10};
  std::vector<float> out(6, -1);
  embedding_lookup(tokens, table, 10, 2, 2, out);
  CHECK(out == std::vector<float>{3, 4, 0, 0, 1, 2});

  const std::vector<float> logits{1, 5, 5, 0, -1, -2, -3, -0.5f};
  std::vector<int32_t> best(2);
  argmax_rows(logits, 2, 4, best);
  CHECK(best == std::vector<int32_t>{1, 3});
}

}  // TEST_SUITE
