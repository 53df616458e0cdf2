#include "runtime/cpu/mpi_comm.h"

#include <string>

#include "sim/common/error.h"

namespace sp {

void mpi_check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  throw CommError(std::string(what) + ": " + std::string(msg, size_t(len)));
}

void MpiCommFree::operator()(MPI_Comm* c) const {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && *c != MPI_COMM_NULL) MPI_Comm_free(c);
  delete c;
}

MpiCommHandle mpi_comm_split(int color, int key) {
  MpiCommHandle h(new MPI_Comm(MPI_COMM_NULL));
  mpi_check(MPI_Comm_split(MPI_COMM_WORLD, color, key, h.get()), "MPI_Comm_split");
  mpi_check(MPI_Comm_set_errhandler(*h, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  return h;
}

MpiComm::MpiComm(MpiCommHandle tp_group) : tp_(std::move(tp_group)) {
  mpi_check(MPI_Comm_size(*tp_, &tp_size_), "MPI_Comm_size");
}

MpiComm::~MpiComm() {
  if (!pending_.empty()) MPI_Waitall(int(pending_.size()), pending_.data(), MPI_STATUSES_IGNORE);
}

void MpiComm::all_reduce_sum(std::span<float> data) {
  mpi_check(MPI_Allreduce(MPI_IN_PLACE, data.data(), int(data.size()), MPI_FLOAT, MPI_SUM, *tp_), "MPI_Allreduce");
}

void MpiComm::all_gather(std::span<const float> in, std::span<float> out) {
  SP_ASSERT(out.size() == in.size() * size_t(tp_size_), "all_gather: output is not tp_size * input");
  mpi_check(MPI_Allgather(in.data(), int(in.size()), MPI_FLOAT, out.data(), int(in.size()), MPI_FLOAT, *tp_),
            "MPI_Allgather");
}

void MpiComm::send(std::span<const std::byte> data, int peer, int tag) {
  buffers_.emplace_back(data.begin(), data.end());
  pending_.emplace_back();
  mpi_check(MPI_Isend(buffers_.back().data(), int(data.size()), MPI_BYTE, peer, tag, MPI_COMM_WORLD, &pending_.back()),
            "MPI_Isend");
}

void MpiComm::wait_message(int peer, int tag) {
  mpi_check(MPI_Probe(peer, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Probe");
}

void MpiComm::recv(std::span<std::byte> data, int peer, int tag) {
  MPI_Status st;
  mpi_check(MPI_Recv(data.data(), int(data.size()), MPI_BYTE, peer, tag, MPI_COMM_WORLD, &st), "MPI_Recv");
  int got = 0;
  MPI_Get_count(&st, MPI_BYTE, &got);
  if (size_t(got) != data.size()) {
    throw CommError("MPI_Recv: expected " + std::to_string(data.size()) + " bytes from rank " + std::to_string(peer) +
                    ", got " + std::to_string(got));
  }
}

void MpiComm::wait_sends() {
  if (pending_.empty()) return;
  mpi_check(MPI_Waitall(int(pending_.size()), pending_.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
  pending_.clear();
  buffers_.clear();
}

void MpiComm::barrier() { mpi_check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

}  // namespace sp
