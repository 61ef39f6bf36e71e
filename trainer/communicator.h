#pragma once
/// How the ranks of one trial group combine numbers: the data-parallel trainer averages its
/// gradients and sums its metrics through this and nothing else. Implementations: MPI on
/// host memory (trainer/communicator_mpi.h) and NCCL on CUDA device memory
/// (trainer/nccl_communicator.h, built only when CUDA and NCCL are found). Which one a rank
/// uses follows from its device (make_communicator below), not from build flags at the
/// call sites. The buffers are raw pointers in the memory of device(); the LibTorch glue
/// (trainer/communicator_tensors.h) packs tensors into them. No LibTorch, no MPI here.
///
/// Every call is collective: every rank of the group makes the same calls in the same
/// order with the same counts. One communicator per rank, used from one thread.
#include <cstdint>
#include <memory>
#include <string>

namespace rungs {

class Communicator {
 public:
  enum class Memory { Host, Cuda };

  virtual ~Communicator() = default;
  virtual int size() const = 0;
  virtual int rank() const = 0;
  /// Where the buffers passed to the reductions must live.
  virtual Memory memory() const = 0;
  /// In place: data[i] = sum over the group of data[i]. Throws MpiError / NcclError.
  virtual void allreduce_sum(float* data, std::int64_t count) = 0;
  virtual void allreduce_sum(double* data, std::int64_t count) = 0;
};

/// Rows [begin, end) of `n` rows that rank `rank` of `size` takes: contiguous, sizes
/// differing by at most one, covering all rows once (n need not divide by size).
struct Shard {
  std::int64_t begin = 0, end = 0;
  std::int64_t size() const { return end - begin; }
};
inline Shard shard_of(std::int64_t n, int rank, int size) {
  return {n * rank / size, n * (rank + 1) / size};
}

}  // namespace rungs
