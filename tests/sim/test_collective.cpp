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

TEST_CASE("AllReduce across nodes is NCCL's ring over all ranks: hop latencies summed, node network bandwidth") {
  // 2 nodes x 8: per lap 14 NVLink hops and 2 network hops; two laps less one hop each way.
  GroupLinks l{.ranks = 16, .nodes = 2, .ranks_per_node = 8, .intra_bw_gb_s = 400, .intra_step_us = 1,
               .inter_bw_gb_s = 40, .inter_step_us = 20, .base_us = 3};
  const double hops = 2 * 14 * 1e-6 + 2 * 1 * 20e-6;
  // Small message (below 1 KiB per rank): no plateau factor.
  const double small = 8192;
  CHECK(collective_time_s(Collective::allreduce, small, l) ==
        doctest::Approx(3e-6 + hops + 2.0 * 15 / 16 * small / (8 * 40e9)).epsilon(1e-12));
  // Large message: NCCL's plateau factor 1.4 on the latency; bandwidth = 8 rails x 40 GB/s,
  // below the 400 GB/s NVLink ring.
  const double S = 1 << 30;
  CHECK(collective_time_s(Collective::allreduce, S, l) ==
        doctest::Approx(3e-6 + 1.4 * hops + 2.0 * 15 / 16 * S / 320e9).epsilon(1e-12));
  // When NVLink is the slower side it bounds the rings instead.
  GroupLinks slow_nvl = l;
  slow_nvl.intra_bw_gb_s = 100;
  CHECK(collective_time_s(Collective::allreduce, S, slow_nvl) ==
        doctest::Approx(3e-6 + 1.4 * hops + 2.0 * 15 / 16 * S / 100e9).epsilon(1e-12));
  // Allgather: one lap, (n-N) NVLink + (N-1) network hops, no plateau.
  CHECK(collective_time_s(Collective::allgather, S, l) ==
        doctest::Approx(3e-6 + 14 * 1e-6 + 20e-6 + 15.0 / 16 * S / 320e9).epsilon(1e-12));
  CHECK(collective_time_s(Collective::reducescatter, S, l) == collective_time_s(Collective::allgather, S, l));
}

TEST_CASE("ring latency across nodes grows with the network hops of its 2(n-1) steps") {
  // Same 8 ranks per node, 2 then 4 then 8 nodes: each added node adds two network hops and
  // 2(g-1) NVLink hops to the allreduce, so the small-message time grows by exactly that.
  auto links = [](int nodes) {
    return GroupLinks{.ranks = 8 * nodes, .nodes = nodes, .ranks_per_node = 8, .intra_bw_gb_s = 700,
                      .intra_step_us = 0.8, .inter_bw_gb_s = 43, .inter_step_us = 21, .base_us = 4.6};
  };
  const double S = 64;  // latency-bound
  const double t2 = collective_time_s(Collective::allreduce, S, links(2));
  const double t4 = collective_time_s(Collective::allreduce, S, links(4));
  const double t8 = collective_time_s(Collective::allreduce, S, links(8));
  const double per_node = 2 * 21e-6 + 2 * 7 * 0.8e-6;
  CHECK(t4 - t2 == doctest::Approx(2 * per_node).epsilon(1e-3));
  CHECK(t8 - t4 == doctest::Approx(4 * per_node).epsilon(1e-3));
  // A slower network hop (EFA vs InfiniBand) costs 2(N-1) times the difference.
  GroupLinks ib = links(4);
  ib.inter_step_us = 5;
  CHECK(collective_time_s(Collective::allreduce, S, links(4)) - collective_time_s(Collective::allreduce, S, ib) ==
        doctest::Approx(6 * 16e-6).epsilon(1e-3));
}

TEST_CASE("an AllReduce crossing nodes is never faster than the same ranks inside one node") {
  GroupLinks in{.ranks = 16, .nodes = 1, .ranks_per_node = 16, .intra_bw_gb_s = 400, .intra_step_us = 1, .base_us = 3};
  for (double inter_bw : {10.0, 50.0, 100.0}) {
    for (double inter_lat : {1.0, 5.0, 21.0}) {
      GroupLinks across{.ranks = 16, .nodes = 2, .ranks_per_node = 8, .intra_bw_gb_s = 400, .intra_step_us = 1,
                        .inter_bw_gb_s = inter_bw, .inter_step_us = inter_lat, .base_us = 3};
      for (double S = 8; S <= 16.0 * (1 << 30); S *= 4) {
        CAPTURE(inter_bw);
        CAPTURE(inter_lat);
        CAPTURE(S);
        CHECK(collective_time_s(Collective::allreduce, S, across) >= collective_time_s(Collective::allreduce, S, in));
      }
    }
  }
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
