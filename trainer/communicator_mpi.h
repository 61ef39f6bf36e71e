#pragma once
/// MPI pieces of the data-parallel trainer: the owner of an MPI_Comm, and the Communicator
/// (trainer/communicator.h) over host memory with MPI_Allreduce.
#include <mpi.h>

#include "trainer/communicator.h"

namespace rungs {

/// Owns one MPI_Comm (or MPI_COMM_NULL) and frees it in its destructor, never throwing.
/// Move-only. Must be destroyed before MPI_Finalize.
class MpiComm {
 public:
  MpiComm() = default;
  explicit MpiComm(MPI_Comm comm) : comm_(comm) {}
  ~MpiComm() { reset(); }
  MpiComm(MpiComm&& other) noexcept : comm_(other.release()) {}
  MpiComm& operator=(MpiComm&& other) noexcept {
    if (this != &other) {
      reset();
      comm_ = other.release();
    }
    return *this;
  }
  MpiComm(const MpiComm&) = delete;
  MpiComm& operator=(const MpiComm&) = delete;

  MPI_Comm get() const { return comm_; }
  explicit operator bool() const { return comm_ != MPI_COMM_NULL; }
  MPI_Comm release() noexcept {
    MPI_Comm c = comm_;
    comm_ = MPI_COMM_NULL;
    return c;
  }
  void reset() noexcept {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (comm_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&comm_);
    comm_ = MPI_COMM_NULL;
  }

  /// A duplicate of `comm` with errors returned (and thrown as MpiError), not fatal.
  static MpiComm duplicate(MPI_Comm comm);
  /// MPI_Comm_split; an MPI_UNDEFINED colour gives an empty owner.
  static MpiComm split(MPI_Comm comm, int color, int key);

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
};

/// Throws MpiError "MPI error in <what>: <text>" unless rc is MPI_SUCCESS.
void check_mpi(int rc, const char* what);

/// Allreduce over a private duplicate of the group's communicator (so that its traffic
/// never mixes with the group's own broadcasts). Host memory only.
class MpiCommunicator final : public Communicator {
 public:
  explicit MpiCommunicator(MPI_Comm group);
  int size() const override { return size_; }
  int rank() const override { return rank_; }
  Memory memory() const override { return Memory::Host; }
  void allreduce_sum(float* data, std::int64_t count) override;
  void allreduce_sum(double* data, std::int64_t count) override;

 private:
  MpiComm comm_;
  int size_ = 1, rank_ = 0;
};

}  // namespace rungs
