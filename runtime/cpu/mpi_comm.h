// CommBackend over MPI: the TP group is a communicator split from MPI_COMM_WORLD, point-to-point
// messages use world ranks. Every call checks its return code (the communicators use
// MPI_ERRORS_RETURN) and throws CommError naming the operation and MPI's reason.
#pragma once

#include <memory>
#include <vector>

#include <mpi.h>

#include "runtime/comm.h"

namespace sp {

// Throws CommError("<what>: <MPI's error string>") when rc is not MPI_SUCCESS.
void mpi_check(int rc, const char* what);

struct MpiCommFree {
  void operator()(MPI_Comm* c) const;
};
using MpiCommHandle = std::unique_ptr<MPI_Comm, MpiCommFree>;

// Splits MPI_COMM_WORLD: ranks with the same `color` form one communicator, ordered by `key`.
MpiCommHandle mpi_comm_split(int color, int key);

class MpiComm final : public CommBackend {
 public:
  // `tp_group` holds this rank's TP group, ordered by TP index.
  explicit MpiComm(MpiCommHandle tp_group);
  ~MpiComm() override;
  int tp_size() const override { return tp_size_; }
  void all_reduce_sum(std::span<float> data) override;
  void all_gather(std::span<const float> in, std::span<float> out) override;
  void send(std::span<const std::byte> data, int peer, int tag) override;
  void wait_message(int peer, int tag) override;
  void recv(std::span<std::byte> data, int peer, int tag) override;
  void wait_sends() override;
  void barrier() override;

 private:
  MpiCommHandle tp_;
  int tp_size_ = 1;
  std::vector<MPI_Request> pending_;
  std::vector<std::vector<std::byte>> buffers_;  // kept alive until their send completes
};

}  // namespace sp
