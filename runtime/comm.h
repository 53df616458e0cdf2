// The communication interface the executor talks to (STYLE habit 6): the TP group's
// collectives and point-to-point messages between stages. Implemented by MPI (runtime/cpu,
// MPI_Allreduce and MPI_Isend/MPI_Recv) and by NullComm (one process, no peers); a NCCL
// backend plugs in here later. Errors are thrown as CommError naming the operation.
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>

namespace sp {

class CommError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CommBackend {
 public:
  virtual ~CommBackend() = default;
  virtual int tp_size() const = 0;
  // Sum over the TP group, in place.
  virtual void all_reduce_sum(std::span<float> data) = 0;
  // Concatenates every TP rank's `in` into `out` in TP-rank order (out = tp_size * in).
  virtual void all_gather(std::span<const float> in, std::span<float> out) = 0;
  // Point-to-point to a world rank. `send` returns at once (the data are copied); the copies
  // are released by wait_sends(). `wait_message` blocks until a message from `peer` with `tag`
  // has arrived, so the caller can tell idle waiting from the transfer done by `recv`.
  virtual void send(std::span<const std::byte> data, int peer, int tag) = 0;
  virtual void wait_message(int peer, int tag) = 0;
  virtual void recv(std::span<std::byte> data, int peer, int tag) = 0;
  virtual void wait_sends() = 0;
  virtual void barrier() = 0;
};

// One process and no peers: collectives leave the data as they are (all_gather repeats the
// input `tp_size` times) and recv fills zeros. Exact for tp = pp = 1, the unsharded
// reference; for larger splits it lets tests walk a rank's op sequence without MPI.
class NullComm final : public CommBackend {
 public:
  explicit NullComm(int tp_size = 1) : tp_(tp_size) {}
  int tp_size() const override { return tp_; }
  void all_reduce_sum(std::span<float>) override {}
  void all_gather(std::span<const float> in, std::span<float> out) override;
  void send(std::span<const std::byte>, int, int) override {}
  void wait_message(int, int) override {}
  void recv(std::span<std::byte> data, int, int) override;
  void wait_sends() override {}
  void barrier() override {}

 private:
  int tp_ = 1;
};

}  // namespace sp
