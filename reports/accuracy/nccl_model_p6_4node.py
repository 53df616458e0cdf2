#!/usr/bin/env python3
"""NCCL's own cost model (src/graph/tuning.cc, 2.27/2.28 constants) for an allreduce over
4 AWS P6-B200 nodes x 8 GPUs, against the three published 4-node records of the dev set
(mleng-b200-allreduce-4node-{1MiB,16MiB,256MiB}). Run: python3 nccl_model_p6_4node.py

It answers one question: would pricing NCCL's protocols (LL / LL128 / Simple) explain those
records? Inputs that the records do not state are varied, not fitted:
  - which protocols NCCL may use: all three, or Simple only (aws-ofi-nccl forces
    NCCL_PROTO=simple when EFA reports no 128-byte-ordered RDMA writes; platform-aws.cpp);
  - the channel count (8 or 16), which caps the tree's bandwidth (perChMaxTreeBw).
Known inputs: the network latency the AWS plugin declares to NCCL for P5en and later,
35 us (platform-aws.cpp, "p-series" entry), Intel hosts (net overhead 1 us), Blackwell.
NCCL picks the (algorithm, protocol) with the least modelled time; the time printed is that
model's, which is what a planner would predict if it priced collectives the way NCCL does.
"""
import math

MiB = 1 << 20
PUBLISHED_BUSBW = {1 * MiB: 5.37, 16 * MiB: 64.43, 256 * MiB: 229.09}  # GB/s, the dev set
N_NODES, N_RANKS = 4, 32
PPN = N_RANKS // N_NODES
NET_LATENCY_US = 35.0      # aws-ofi-nccl platform-aws.cpp, p-series (P5en, P6, ...)
NET_OVERHEAD_US = 1.0      # tuning.cc getNetOverhead: x86 Intel
NODE_NET_GB_S = 8 * 50.0   # 8 EFA v4 NICs of 400 Gb/s

PROTOS = ["LL", "LL128", "Simple"]
BASE = {"tree": [6.8, 14.0, 8.4], "ring": [6.6, 14.0, 8.4]}
HW_NVLINK = {"tree": [0.6, 1.25, 4.0], "ring": [0.6, 1.9, 3.4]}
HW_NET = {"tree": [5.0, 8.5, 14.0], "ring": [2.7, 4.0, 14.0]}
LL_MAX_BW = 20.4            # llMaxBws[Intel][>2 nodes]
PER_CH_RING_LL128 = 2 * 36.7
PER_CH_TREE_LL128 = 20.0    # Blackwell, > 2 nodes
PER_CH_TREE = 24.0          # Blackwell, > 2 nodes
TREE_CORRECTION = [
    [1.0, 1.0, 1.0, 1.0, .9, .8, .7, .7, .7, .7, .6, .5, .4, .4, .5, .6, .7, .8, .9, 1.0, 1.0, 1.0, 1.0],
    [1.0, 1.0, 1.0, 1.0, 1.0, .9, .8, .8, .8, .7, .6, .6, .6, .6, .6, .6, .8, .9, .9, .9, .9, 1.0, 1.0],
    [.9, .9, .9, .9, .9, .9, .9, .8, .7, .6, .6, .5, .5, .5, .5, .6, .7, .8, .7, .7, .8, .9, .9],
]


def model(algo, p, n_channels):
    """(latency us, algorithm bandwidth GB/s) as ncclTopoTuneModel sets them."""
    bus = NODE_NET_GB_S  # nChannels x bwInter: the node's NICs
    if algo == "ring":
        if p == 0:
            bus = min(LL_MAX_BW, bus * 0.5)
        elif p == 1:
            bus = min(bus * 0.92, n_channels * PER_CH_RING_LL128)
        bw = bus * N_RANKS / (2 * (N_RANKS - 1))
        intra = max(HW_NVLINK[algo][p], NET_OVERHEAD_US * (3 if p == 2 else 1))
        inter = HW_NET[algo][p] + NET_LATENCY_US * (2 if p == 2 else 1)
        steps, inter_steps = 2 * (N_RANKS - 1), 2 * (N_NODES - 1)
        lat = BASE[algo][p] + (steps - inter_steps) * intra + inter_steps * inter
    else:
        bus = min(bus * 0.92, n_channels * PER_CH_TREE)
        if p == 0:
            bus = min(bus / 3.8, LL_MAX_BW)
        elif p == 1:
            bus = min(bus * 120 / 128, n_channels * PER_CH_TREE_LL128)
        bw = bus * 0.5
        intra = HW_NVLINK[algo][p]
        inter = HW_NET[algo][p] + NET_LATENCY_US * (2 if p == 2 else 1)
        lat = BASE[algo][p] + 2 * ((PPN - 1) * intra + math.log2(N_NODES) * inter)
    return lat, bw


def time_us(algo, p, n_channels, nbytes):
    lat, bw = model(algo, p, n_channels)
    log_size = int(math.log2(nbytes >> 6))
    if algo == "tree" and 0 <= log_size < 23:
        bw *= TREE_CORRECTION[p][log_size]
    if algo == "ring" and p == 2 and nbytes / (n_channels * N_RANKS) >= 64:
        lat *= 1.4  # plateau effect of ring, compute capability >= 8.0
    return lat + nbytes / (1000 * bw)


def busbw(nbytes, t_us):
    return 2 * (N_RANKS - 1) / N_RANKS * nbytes / (t_us * 1e-6) / 1e9


print(f"{'size':>8} {'protocols':>10} {'ch':>3} {'NCCL picks':>14} {'time us':>9} {'busbw':>8} {'published':>9} {'error':>7}")
for nbytes, pub in PUBLISHED_BUSBW.items():
    for allowed in ([0, 1, 2], [2]):
        for n_ch in (8, 16):
            best = min(((time_us(a, p, n_ch, nbytes), a, p) for a in ("ring", "tree") for p in allowed))
            t, a, p = best
            b = busbw(nbytes, t)
            label = "all" if len(allowed) == 3 else "Simple"
            print(f"{nbytes // MiB:>5}MiB {label:>10} {n_ch:>3} {a + '/' + PROTOS[p]:>14} {t:>9.0f} {b:>8.2f} "
                  f"{pub:>9.2f} {100 * (b / pub - 1):>+6.0f}%")
