#include "trainer/nccl_communicator.h"

#include <cuda_runtime.h>
#include <nccl.h>

#include <iostream>
#include <string>
#include <thread>

namespace rungs {
namespace {

void check_nccl(ncclResult_t rc, const char* what) {
  if (rc == ncclSuccess) return;
  throw NcclError(std::string("nccl error in ") + what + ": " + ncclGetErrorString(rc));
}

void check_cuda(cudaError_t rc, const char* what) {
  if (rc == cudaSuccess) return;
  throw NcclError(std::string("cuda error in ") + what + ": " + cudaGetErrorString(rc));
}

void check_mpi_rc(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw MpiError(std::string("MPI error in ") + what);
}

class NcclCommunicator final : public Communicator {
 public:
  NcclCommunicator(MPI_Comm group, int device) : device_(device) {
    check_mpi_rc(MPI_Comm_size(group, &size_), "MPI_Comm_size");
    check_mpi_rc(MPI_Comm_rank(group, &rank_), "MPI_Comm_rank");
    check_cuda(cudaSetDevice(device_), "cudaSetDevice");
    ncclUniqueId id;
    if (rank_ == 0) check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
    // A plain C struct of bytes: it goes over the wire as bytes.
    check_mpi_rc(MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, group), "MPI_Bcast(ncclUniqueId)");
    ncclComm_t comm = nullptr;
    check_nccl(ncclCommInitRank(&comm, size_, id, rank_), "ncclCommInitRank");
    comm_ = NcclComm(comm);
  }

  int size() const override { return size_; }
  int rank() const override { return rank_; }
  Memory memory() const override { return Memory::Cuda; }
  void allreduce_sum(float* data, std::int64_t count) override {
    allreduce(data, count, ncclFloat32);
  }
  void allreduce_sum(double* data, std::int64_t count) override {
    allreduce(data, count, ncclFloat64);
  }

 private:
  void allreduce(void* data, std::int64_t count, ncclDataType_t type) {
    if (size_ == 1 || count == 0) return;
    check_nccl(ncclAllReduce(data, data, static_cast<size_t>(count), type, ncclSum, comm_.get(),
                             cudaStreamLegacy),
               "ncclAllReduce");
    // Wait without blocking forever on a peer that died: poll the stream and NCCL's error.
    for (;;) {
      const cudaError_t state = cudaStreamQuery(cudaStreamLegacy);
      if (state == cudaSuccess) break;
      if (state != cudaErrorNotReady) check_cuda(state, "cudaStreamQuery");
      comm_.check_async();
      std::this_thread::yield();
    }
    comm_.check_async();
  }

  int device_ = 0, size_ = 1, rank_ = 0;
  NcclComm comm_;
};

}  // namespace

void NcclComm::check_async() const {
  if (!comm_) return;
  ncclResult_t async = ncclSuccess;
  check_nccl(ncclCommGetAsyncError(comm_, &async), "ncclCommGetAsyncError");
  check_nccl(async, "an asynchronous operation");
}

NcclComm& NcclComm::operator=(NcclComm&& other) noexcept {
  if (this != &other) {
    close();
    comm_ = other.comm_;
    other.comm_ = nullptr;
  }
  return *this;
}

NcclComm::~NcclComm() { close(); }

void NcclComm::close() noexcept {
  if (!comm_) return;
  ncclResult_t async = ncclSuccess;
  bool abort = ncclCommGetAsyncError(comm_, &async) != ncclSuccess || async != ncclSuccess;
  if (!abort) {
    // Finalize is non-blocking on a non-blocking communicator and blocking otherwise;
    // either way, wait for it with a deadline and abort when it does not complete.
    abort = ncclCommFinalize(comm_) != ncclSuccess;
    const auto deadline = std::chrono::steady_clock::now() + kFinalizeTimeout;
    while (!abort) {
      if (ncclCommGetAsyncError(comm_, &async) != ncclSuccess) abort = true;
      else if (async == ncclSuccess) break;
      else if (async != ncclInProgress) abort = true;
      else if (std::chrono::steady_clock::now() > deadline) abort = true;
      else std::this_thread::yield();
    }
  }
  const ncclResult_t rc = abort ? ncclCommAbort(comm_) : ncclCommDestroy(comm_);
  if (abort || rc != ncclSuccess) {
    std::cerr << "rungs: nccl communicator " << (abort ? "aborted" : "destroyed")
              << (rc == ncclSuccess ? "" : std::string(" with error: ") + ncclGetErrorString(rc))
              << std::endl;
  }
  comm_ = nullptr;
}

std::unique_ptr<Communicator> make_nccl_communicator(MPI_Comm group, int device) {
  return std::make_unique<NcclCommunicator>(group, device);
}

}  // namespace rungs
