#pragma once
/// The communicators of trial groups (mpi_driver/trial_groups.h) on a real MPI job:
/// one per group, and one joining rank 0 with the group leaders, over which the
/// coordinator and the leaders' WorkerLoops talk exactly as they would with one rank per
/// trial (the coordinator sees leaders as its workers and never hears of members).
#include <mpi.h>

#include <list>
#include <vector>

#include "command/group_link.h"
#include "mpi_driver/group_runner.h"
#include "mpi_driver/trial_groups.h"
#include "trainer/communicator_mpi.h"

namespace rungs {

struct TrialGroups {
  GroupPlan plan;
  std::vector<int> node_of_rank;  ///< a node id per world rank (equal ids: same node)
  int group = -1;              ///< this rank's group; -1 on rank 0
  int position = -1;           ///< 0: the group's leader
  MpiComm group_comm;          ///< the ranks of this rank's group (empty on rank 0)
  MpiComm coordinator_comm;    ///< rank 0 (rank 0 there) + leaders (group g: rank g + 1);
                               ///< empty on members
  bool is_leader() const { return position == 0; }
  bool is_member() const { return position > 0; }
};

/// Collective over MPI_COMM_WORLD. Nodes are told apart with MPI_Comm_split_type
/// (MPI_COMM_TYPE_SHARED). Throws ConfigError (on every rank alike) when the world size
/// does not fit groups of `ranks_per_trial`.
TrialGroups form_trial_groups(int ranks_per_trial);

/// GroupChannel over a duplicate of a group communicator: a length, then the bytes, each
/// with MPI_Ibcast completed by polling with a growing sleep (a blocking broadcast would
/// spin a core for as long as a member waits for its leader).
class MpiGroupChannel final : public GroupChannel {
 public:
  explicit MpiGroupChannel(MPI_Comm group);
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void broadcast(wire::Bytes& bytes) override;

 private:
  MpiComm comm_;
  int rank_ = 0, size_ = 1;
};

/// GroupLink over a duplicate of a group communicator: MPI_Isend (its buffer kept until
/// MPI_Test says it went), MPI_Iprobe then MPI_Recv of the probed message. The destructor
/// waits for sends still in flight (the member receives them: it polls until Shutdown).
class MpiGroupLink final : public GroupLink {
 public:
  explicit MpiGroupLink(MPI_Comm group);
  ~MpiGroupLink() override;
  MpiGroupLink(const MpiGroupLink&) = delete;
  MpiGroupLink& operator=(const MpiGroupLink&) = delete;
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void send(int to, wire::Bytes bytes) override;
  std::optional<std::pair<int, wire::Bytes>> receive() override;

 private:
  struct Sending {
    wire::Bytes bytes;
    MPI_Request request = MPI_REQUEST_NULL;
  };
  void reap();
  MpiComm comm_;
  int rank_ = 0, size_ = 1;
  std::list<Sending> sending_;
};

}  // namespace rungs
