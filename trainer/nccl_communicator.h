#pragma once
/// The NCCL Communicator (trainer/communicator.h) for ranks that train on a CUDA device:
/// sums device buffers with ncclAllReduce. Its core needs only nccl.h and the CUDA
/// runtime, not a CUDA LibTorch; it is compiled only when CMake found CUDA and NCCL
/// (RUNGS_HAVE_NCCL), and a compile-only target checks it on machines without a GPU.
/// Neither nccl.h nor cuda_runtime.h is included here.
#include <mpi.h>

#include <chrono>
#include <memory>

#include "study/errors.h"
#include "trainer/communicator.h"

struct ncclComm;
typedef struct ncclComm* ncclComm_t;  // as in nccl.h

namespace rungs {

class NcclError : public Error {
 public:
  using Error::Error;
};

/// Owns one ncclComm_t. Move-only. The destructor waits for the communicator's work,
/// finalizes it (aborting instead when it reports an asynchronous error or does not finish
/// within kFinalizeTimeout) and destroys it; failures are written to stderr, never thrown.
class NcclComm {
 public:
  static constexpr std::chrono::seconds kFinalizeTimeout{30};

  NcclComm() = default;
  explicit NcclComm(ncclComm_t comm) : comm_(comm) {}
  ~NcclComm();
  NcclComm(NcclComm&& other) noexcept : comm_(other.comm_) { other.comm_ = nullptr; }
  NcclComm& operator=(NcclComm&& other) noexcept;
  NcclComm(const NcclComm&) = delete;
  NcclComm& operator=(const NcclComm&) = delete;

  ncclComm_t get() const { return comm_; }
  /// Throws NcclError when NCCL reports an asynchronous error (a peer failed, a timeout).
  void check_async() const;

 private:
  void close() noexcept;
  ncclComm_t comm_ = nullptr;
};

/// A communicator over the ranks of `group` (each rank on its own CUDA device `device`):
/// rank 0 of `group` calls ncclGetUniqueId and broadcasts it over `group` with MPI_Bcast
/// (as bytes); every rank then calls ncclCommInitRank. Collective over `group`.
/// Reductions run on the legacy default stream (so they follow LibTorch's default-stream
/// work) and return when done. Throws NcclError / MpiError.
std::unique_ptr<Communicator> make_nccl_communicator(MPI_Comm group, int device);

}  // namespace rungs
