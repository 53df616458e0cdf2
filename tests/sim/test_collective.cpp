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

TEST_CASE("AllReduce across nodes: NCCL's ring over all ranks, or its tree, whichever is faster") {
  // 4 nodes x 8 ranks; 8 rails of 40 GB/s per node (320 GB/s), NVLink ring 400 GB/s.
  GroupLinks l{.ranks = 32, .nodes = 4, .ranks_per_node = 8, .intra_bw_gb_s = 400, .intra_step_us = 1,
               .inter_bw_gb_s = 40, .inter_step_us = 20, .base_us = 3};
  // Tree: depth 2 across nodes, chain of 8 inside: 2 (7 a + 2 e) = 94 us; a node moves 2S.
  const double tree_lat = 2 * (7 * 1e-6 + 2 * 20e-6);
  const double small = 4096;
  CHECK(collective_time_s(Collective::allreduce, small, l) ==
        doctest::Approx(3e-6 + tree_lat + 2 * small / 320e9).epsilon(1e-12));
  // Ring: a chunk crosses 2(n-N) = 56 NVLink and 2(N-1) = 6 network hops, times NCCL's plateau
  // factor 1.4; busbw = the node's network. It wins once its 2(n-1)/n < 2 bytes per byte pay
  // for its longer latency.
  const double ring_lat = 1.4 * (56 * 1e-6 + 6 * 20e-6);
  const double S = 16.0 * (1 << 30);
  CHECK(collective_time_s(Collective::allreduce, S, l) ==
        doctest::Approx(3e-6 + ring_lat + 2.0 * 31 / 32 * S / 320e9).epsilon(1e-12));
  // When NVLink is the slower side it bounds the ring (and the tree's chain) instead.
  GroupLinks slow_nvl = l;
  slow_nvl.intra_bw_gb_s = 100;
  CHECK(collective_time_s(Collective::allreduce, S, slow_nvl) ==
        doctest::Approx(3e-6 + ring_lat + 2.0 * 31 / 32 * S / 100e9).epsilon(1e-12));
  // Allgather and reduce-scatter are rings only: one lap, (n-N) NVLink + (N-1) network hops, no plateau.
  CHECK(collective_time_s(Collective::allgather, S, l) ==
        doctest::Approx(3e-6 + 28 * 1e-6 + 3 * 20e-6 + 31.0 / 32 * S / 320e9).epsilon(1e-12));
  CHECK(collective_time_s(Collective::reducescatter, S, l) == collective_time_s(Collective::allgather, S, l));
}

TEST_CASE("on 2 nodes the tree moves S per node, so busbw can exceed the NICs' rate") {
  GroupLinks l{.ranks = 16, .nodes = 2, .ranks_per_node = 8, .intra_bw_gb_s = 700, .intra_step_us = 1,
               .inter_bw_gb_s = 40, .inter_step_us = 20, .base_us = 3};
  const double S = 1 << 30;
  const double t = collective_time_s(Collective::allreduce, S, l);
  CHECK(t == doctest::Approx(3e-6 + 2 * (7 * 1e-6 + 20e-6) + S / 320e9).epsilon(1e-12));
  const double busbw = S / t * bus_bandwidth_factor(Collective::allreduce, 16) / 1e9;
  CHECK(busbw > 320);
  CHECK(busbw < 1.875 * 320);
}

TEST_CASE("latency across nodes: the tree's grows with log2 N, the ring's with its 2(n-1) steps") {
  auto links = [](int nodes) {
    return GroupLinks{.ranks = 8 * nodes, .nodes = nodes, .ranks_per_node = 8, .intra_bw_gb_s = 700,
                      .intra_step_us = 0.8, .inter_bw_gb_s = 43, .inter_step_us = 21, .base_us = 4.6};
  };
  // Small messages take the tree: each doubling of the nodes adds one network hop each way.
  const double small = 64;
  const double t2 = collective_time_s(Collective::allreduce, small, links(2));
  const double t4 = collective_time_s(Collective::allreduce, small, links(4));
  const double t8 = collective_time_s(Collective::allreduce, small, links(8));
  CHECK(t4 - t2 == doctest::Approx(2 * 21e-6).epsilon(1e-3));
  CHECK(t8 - t4 == doctest::Approx(2 * 21e-6).epsilon(1e-3));
  // Large messages take the ring: from 4 to 8 nodes it gains 2 x 28 NVLink and 2 x 4 network
  // hops (times the plateau factor), and its bytes per rank grow from 2 x 31/32 to 2 x 63/64.
  const double S = 64.0 * (1 << 30);
  const double r4 = collective_time_s(Collective::allreduce, S, links(4));
  const double r8 = collective_time_s(Collective::allreduce, S, links(8));
  const double hops = 1.4 * (2 * 28 * 0.8e-6 + 2 * 4 * 21e-6);
  CHECK(r8 - r4 == doctest::Approx(hops + 2 * (63.0 / 64 - 31.0 / 32) * S / (8 * 43e9)).epsilon(1e-6));
  // A slower network hop (EFA vs InfiniBand) costs, on the tree of 4 nodes, 2 log2(4) times the difference.
  GroupLinks ib = links(4);
  ib.inter_step_us = 5;
  CHECK(collective_time_s(Collective::allreduce, small, links(4)) - collective_time_s(Collective::allreduce, small, ib) ==
        doctest::Approx(4 * 16e-6).epsilon(1e-3));
}

TEST_CASE("an AllReduce over 2 nodes is never faster than over the 8 ranks of one of them") {
  // Whatever the network (each hop at least as slow as an NVLink hop), adding a node adds work:
  // the tree's chain inside each node alone moves 2S per GPU, more than the node's own ring.
  GroupLinks node{.ranks = 8, .nodes = 1, .ranks_per_node = 8, .intra_bw_gb_s = 400, .intra_step_us = 1, .base_us = 3};
  for (double inter_bw : {10.0, 50.0, 100.0}) {
    for (double inter_lat : {1.0, 5.0, 21.0}) {
      GroupLinks across{.ranks = 16, .nodes = 2, .ranks_per_node = 8, .intra_bw_gb_s = 400, .intra_step_us = 1,
                        .inter_bw_gb_s = inter_bw, .inter_step_us = inter_lat, .base_us = 3};
      for (double S = 8; S <= 16.0 * (1 << 30); S *= 4) {
        CAPTURE(inter_bw);
        CAPTURE(inter_lat);
        CAPTURE(S);
        CHECK(collective_time_s(Collective::allreduce, S, across) > collective_time_s(Collective::allreduce, S, node));
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
