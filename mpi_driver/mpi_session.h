#pragma once
/// The one owner of MPI_Init/MPI_Finalize, created once per process. finalize() is called
/// on the clean path only, after every rank agreed to exit; the destructor never finalizes,
/// so an exception that unwinds past the session reaches main, which prints it and calls
/// MPI_Abort (a finalize on one failed rank would wait forever for the others).
#include <mpi.h>

#include <string>

namespace rungs {

class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession() = default;
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  /// Ranks on this node and this rank's index among them.
  int node_size() const { return node_size_; }
  int node_rank() const { return node_rank_; }
  /// Whether rank 0 runs on this node.
  bool node_has_coordinator() const { return node_has_coordinator_; }

  /// Ends MPI on this rank; for the clean path, once every rank is on its way out.
  void finalize();

  /// Ends every rank of the job with `code`.
  [[noreturn]] void abort(int code) const;

  /// Where MPI was started and is not finalized: ends every rank of the job with `code`.
  /// For main's error path; does nothing where MPI is not running.
  static void abort_if_running(int code);

 private:
  int rank_ = 0, size_ = 1, node_size_ = 1, node_rank_ = 0;
  bool node_has_coordinator_ = true;
};

/// This process's rank as the launcher (Open MPI, PMIx, Slurm) announced it in the
/// environment, before MPI_Init; 0 when not launched by one.
int launcher_rank();

}  // namespace rungs
