#include <doctest/doctest.h>

#include <numeric>

#include "sim/cost/collective.h"

using namespace sp;

TEST_SUITE("collective") {

TEST_CASE("ring AllReduce inside a node follows 2(n-1)a + 2(n-1)/n S/B") {
  GroupLinks l{.ranks = 8, .nodes = 1, .ranks_per_node = 8, .intra_bw_gb_s = 100, .intra_step_us = 1, .base_us = 5};
  const double S = 1 << 30;
  const double expect = 5e-6 + 14 * 1e-6 + 2.0 * 7 / 8 * S / 100e9;
  CHECK(collective_time_s(Collective::allreduce, S, l) == doctest::Approx(expect).epsilon(1e-12));
  // Bus bandwidth of a large message approaches the link bandwidth (nccl-tests' definition).
  const double busbw = S / collective_time_s(Collective::allreduce, S, l) * bus_bandwidth_factor(Collective::allreduce, 8);
  CHECK(busbw / 1e9 == doctest::Approx(100).epsilon(0.01));
}

TEST_CASE("gather-type collectives and sendrecv") {
  GroupLinks l{.ranks = 4, .nodes = 1, .ranks_per_node = 4, .intra_bw_gb_s = 200, .intra_step_us = 2, .base_us = 3};
  const double S = 8e6;
  CHECK(collective_time_s(Collective::allgather, S, l) == doctest::Approx(3e-6 + 3 * 2e-6 + 0.75 * S / 200e9));
  CHECK(collective_time_s(Collective::reducescatter, S, l) == collective_time_s(Collective::allgather, S, l));
  GroupLinks pair{.ranks = 2, .nodes = 1, .ranks_per_node = 2, .intra_bw_gb_s = 200, .intra_step_us = 2, .base_us = 3};
  CHECK(collective_time_s(Collective::sendrecv, S, pair) == doctest::Approx(3e-6 + 2e-6 + S / 200e9));
}

TEST_CASE("one rank costs nothing") {
  GroupLinks l{.ranks = 1};
  CHECK(collective_time_s(Collective::allreduce, 1e9, l) == 0);
}

TEST_CASE("hierarchical AllReduce across nodes is RS + inter-node AR of S/g + AG") {
  GroupLinks l{.ranks = 16, .nodes = 2, .ranks_per_node = 8, .intra_bw_gb_s = 400, .intra_step_us = 1,
               .inter_bw_gb_s = 50, .inter_step_us = 5, .base_us = 0};
  const double S = 1e9;
  const double rs = 7 * 1e-6 + 7.0 / 8 * S / 400e9;
  const double ar = 2 * 1 * 5e-6 + 2.0 * 1 / 2 * (S / 8) / 50e9;
  CHECK(collective_time_s(Collective::allreduce, S, l) == doctest::Approx(rs + ar + rs));
  // Crossing nodes is slower than staying inside one at the same rank count.
  GroupLinks in{.ranks = 16, .nodes = 1, .ranks_per_node = 16, .intra_bw_gb_s = 400, .intra_step_us = 1};
  CHECK(collective_time_s(Collective::allreduce, S, l) > collective_time_s(Collective::allreduce, S, in));
}

TEST_CASE("crossing nodes never beats one node for gather-type collectives") {
  GroupLinks node{.ranks = 8, .nodes = 1, .ranks_per_node = 8, .intra_bw_gb_s = 369, .intra_step_us = 1};
  GroupLinks two{.ranks = 16, .nodes = 2, .ranks_per_node = 8, .intra_bw_gb_s = 369, .intra_step_us = 1,
                 .inter_bw_gb_s = 47, .inter_step_us = 5};
  const double S = 1 << 30;
  for (auto op : {Collective::allgather, Collective::reducescatter, Collective::allreduce}) {
    const double bus8 = S / collective_time_s(op, S, node) * bus_bandwidth_factor(op, 8);
    const double bus16 = S / collective_time_s(op, S, two) * bus_bandwidth_factor(op, 16);
    CHECK(bus16 < bus8);
    CHECK(bus8 < 369e9);
  }
}

TEST_CASE("bus bandwidth factors are nccl-tests'") {
  CHECK(bus_bandwidth_factor(Collective::allreduce, 8) == doctest::Approx(1.75));
  CHECK(bus_bandwidth_factor(Collective::allgather, 8) == doctest::Approx(0.875));
  CHECK(bus_bandwidth_factor(Collective::alltoall, 4) == doctest::Approx(0.75));
  CHECK(bus_bandwidth_factor(Collective::sendrecv, 2) == 1);
}

TEST_CASE("names parse back") {
  for (auto op : {Collective::allreduce, Collective::allgather, Collective::reducescatter, Collective::alltoall,
                  Collective::sendrecv}) {
    CHECK(collective_parse(collective_name(op)) == op);
  }
  CHECK_FALSE(collective_parse("broadcast").has_value());
}

}  // TEST_SUITE
