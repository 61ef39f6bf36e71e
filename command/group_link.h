#pragma once
/// Messages between the ranks of one trial group of a program's trial
/// (command/program_group.h): point to point, non-blocking both ways, so that a rank that
/// waits on its program never waits on another rank too. Rank 0 is the group's leader.
/// mpi_driver/group_comms.h has the MPI implementation; tests use threads. One thread per rank.
#include <optional>
#include <utility>

#include "study/wire.h"

namespace rungs {

class GroupLink {
 public:
  virtual ~GroupLink() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// Queues `bytes` for rank `to`; returns without waiting for it to be received. Messages
  /// from one rank to another arrive in the order they were sent.
  virtual void send(int to, wire::Bytes bytes) = 0;
  /// A message that has arrived (its sender, its bytes), or nullopt at once.
  virtual std::optional<std::pair<int, wire::Bytes>> receive() = 0;
};

}  // namespace rungs
