// `shardplan calibrate --backend cpu`: measures this machine as the CPU runtime uses it (one
// MPI rank = one core = one "GPU") and writes a system profile the cost model reads.
//
// What is measured: single-thread Eigen GEMM time over a grid of (m, n*k), streaming memory
// bandwidth, the attention kernel over prefill and decode shapes, norm/activation kernels over
// sizes, and (through `mpirun -np 2 shardplan-run --bench-comm`) MPI AllReduce and send/recv
// over message sizes, to which alpha-beta is fitted by Eigen least squares.
//
// Byte convention: the cost model counts 2-byte (bf16) elements; the CPU runtime moves 4-byte
// floats. A profile for this runtime therefore states bandwidths per *counted* byte: the
// measured bandwidth divided by 2 (`kRuntimeByteRatio`), so counted bytes / profile bandwidth
// = measured time. Each such number says so in its source.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/hardware/system_profile.h"

namespace sp {

inline constexpr double kRuntimeByteRatio = 4.0 / 2.0;  // fp32 moved per bf16 byte counted

struct CommSample {
  double bytes = 0;   // real message bytes (fp32 buffers)
  double time_s = 0;  // per operation
};

// Two-rank alpha-beta in the cost model's terms (sim/cost/collective.h, n = 2):
//   allreduce = base + 2 * step + bytes * s_per_byte,  sendrecv = base + step + bytes * s_per_byte.
struct AlphaBeta {
  double base_s = 0;
  double step_s = 0;
  double s_per_byte = 0;  // per real byte
};

// Least squares (Eigen) over both sets of samples; a negative latency term is fixed at 0 and
// the rest refitted, so the fitted times never fall below the bandwidth term.
AlphaBeta fit_alpha_beta(const std::vector<CommSample>& allreduce, const std::vector<CommSample>& sendrecv);
double alpha_beta_allreduce_s(const AlphaBeta& f, double bytes);
double alpha_beta_sendrecv_s(const AlphaBeta& f, double bytes);

struct CalibrateCpuOptions {
  std::string name = "cpu-local";  // profile name
  std::string host;                // for the sources, e.g. the host name
  std::string date;                // for the sources, e.g. 2026-11-25
  double comm_timeout_s = 120;
};

struct CpuCalibration {
  nlohmann::json profile;       // the system profile (GPU inline), ready to write
  nlohmann::json measurements;  // every raw measurement and the fit, for the record and tests
};

// Runs every measurement (about a minute on the 2-core development machine). Throws
// InputError when the MPI measurement cannot run, with mpirun's message.
CpuCalibration calibrate_cpu(const CalibrateCpuOptions& o);

}  // namespace sp
