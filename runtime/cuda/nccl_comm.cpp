#include "runtime/cuda/nccl_comm.h"

#include <cstring>

#include <nccl.h>

#include "kernels/cuda/error.h"
#include "sim/common/error.h"

#define SP_NCCL_CHECK(call)                                                                          \
  do {                                                                                               \
    const ncclResult_t sp_res_ = (call);                                                             \
    if (sp_res_ != ncclSuccess)                                                                      \
      ::sp::kernels::cuda::throw_cuda_error("NCCL", #call, ncclGetErrorString(sp_res_), __FILE__, __LINE__); \
  } while (0)

namespace sp::cuda {

static_assert(sizeof(ncclUniqueId) == sizeof(NcclUniqueId::bytes), "NcclUniqueId must hold an ncclUniqueId");

NcclUniqueId nccl_unique_id() {
  ncclUniqueId raw;
  SP_NCCL_CHECK(ncclGetUniqueId(&raw));
  NcclUniqueId id;
  std::memcpy(id.bytes.data(), &raw, sizeof raw);
  return id;
}

NcclComm::NcclComm(const NcclUniqueId& id, int ranks, int rank) : ranks_(ranks), rank_(rank) {
  SP_ASSERT(ranks >= 1 && rank >= 0 && rank < ranks, "NcclComm: rank outside [0, ranks)");
  ncclUniqueId raw;
  std::memcpy(&raw, id.bytes.data(), sizeof raw);
  ncclComm_t c = nullptr;
  SP_NCCL_CHECK(ncclCommInitRank(&c, ranks, raw, rank));
  comm_.reset(c);
}

// ncclCommDestroy frees the communicator once its queued operations have completed; a
// destructor cannot report failure, and the process is ending the communicator either way.
void NcclComm::Destroy::operator()(ncclComm* c) const noexcept { ncclCommDestroy(c); }

void NcclComm::all_reduce_sum(float* data, size_t count, cudaStream_t stream) {
  SP_NCCL_CHECK(ncclAllReduce(data, data, count, ncclFloat32, ncclSum, comm_.get(), stream));
}

void NcclComm::send(const float* data, size_t count, int peer, cudaStream_t stream) {
  SP_ASSERT(peer >= 0 && peer < ranks_ && peer != rank_, "NcclComm::send: bad peer");
  SP_NCCL_CHECK(ncclSend(data, count, ncclFloat32, peer, comm_.get(), stream));
}

void NcclComm::recv(float* data, size_t count, int peer, cudaStream_t stream) {
  SP_ASSERT(peer >= 0 && peer < ranks_ && peer != rank_, "NcclComm::recv: bad peer");
  SP_NCCL_CHECK(ncclRecv(data, count, ncclFloat32, peer, comm_.get(), stream));
}

}  // namespace sp::cuda
