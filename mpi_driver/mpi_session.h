#pragma once
/// The one owner of MPI_Init/MPI_Finalize, created in main only. Finalize runs in its
/// destructor on a clean exit; on an error main calls abort() instead, because a finalize
/// on one failed rank would wait forever for the others.
#include <mpi.h>

#include <string>

namespace rungs {

class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  /// Ranks on this node and this rank's index among them.
  int node_size() const { return node_size_; }
  int node_rank() const { return node_rank_; }
  /// Whether rank 0 runs on this node.
  bool node_has_coordinator() const { return node_has_coordinator_; }

  /// Ends every rank of the job with `code`.
  [[noreturn]] void abort(int code) const;

 private:
  int rank_ = 0, size_ = 1, node_size_ = 1, node_rank_ = 0;
  bool node_has_coordinator_ = true;
};

/// This process's rank as the launcher (Open MPI, PMIx, Slurm) announced it in the
/// environment, before MPI_Init; 0 when not launched by one.
int launcher_rank();

}  // namespace rungs
