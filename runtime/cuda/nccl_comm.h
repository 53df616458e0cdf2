// An NCCL communicator for the CUDA backend (RAII, STYLE habit 5). Bootstrapping is the
// caller's: rank 0 calls nccl_unique_id(), the executable broadcasts the 128 bytes over MPI
// (this library does not link MPI), and every rank constructs NcclComm with them after
// selecting its device (cudaSetDevice). Not yet used by shardplan-run; compiled, never run here.
#pragma once

#include <array>
#include <cstddef>
#include <memory>

#include "kernels/cuda/stream.h"

struct ncclComm;

namespace sp::cuda {

// The bytes of an ncclUniqueId (NCCL_UNIQUE_ID_BYTES = 128), a plain value to broadcast.
struct NcclUniqueId {
  std::array<char, 128> bytes{};
};

NcclUniqueId nccl_unique_id();

class NcclComm {
 public:
  // Collective over the `ranks` processes: each must call it with the same id and its own rank.
  NcclComm(const NcclUniqueId& id, int ranks, int rank);
  int rank() const { return rank_; }
  int size() const { return ranks_; }

  // Enqueued on `stream`; they return before the data has moved (synchronise the stream).
  // In place: every rank's `data` becomes the elementwise sum over the ranks.
  void all_reduce_sum(float* data, size_t count, cudaStream_t stream);
  void send(const float* data, size_t count, int peer, cudaStream_t stream);
  void recv(float* data, size_t count, int peer, cudaStream_t stream);

 private:
  struct Destroy {
    void operator()(ncclComm* c) const noexcept;
  };
  std::unique_ptr<ncclComm, Destroy> comm_;
  int ranks_ = 0, rank_ = 0;
};

}  // namespace sp::cuda
