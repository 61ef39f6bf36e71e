#pragma once
/// Running one trial on the K ranks of a trial group (mpi_driver/trial_groups.h). The
/// group's leader runs the ordinary WorkerLoop with a GroupLeaderRunner: a TrialRunner
/// that hands every assignment and test evaluation to the members and broadcasts, at the
/// same points as they arise, every answer the coordinator gives the runner (each
/// should_stop poll, each epoch's verdict) and the end of the trial. The members run
/// run_group_member(): the same trial with their own runner, whose callbacks return what
/// the leader got, so all K runners take the same path through the trial (the trainer's
/// collectives line up) and only the leader talks to the coordinator.
///
/// When the leader's runner ends early on its own (a checkpoint it alone writes failed),
/// End reaches members waiting for an answer: they stop too and wait for the next command.
/// Commands travel in the protocol's encoding (mpi_driver/protocol.h, study/wire.h).
#include <memory>

#include "study/trial_runner.h"
#include "study/wire.h"

namespace rungs {

/// Broadcast inside one group; rank 0 is the leader. Used from one thread per rank.
class GroupChannel {
 public:
  virtual ~GroupChannel() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// Collective: the leader's `bytes` replace every member's. Waiting must not burn a core:
  /// an idle member waits through its leader's talks with the coordinator.
  virtual void broadcast(wire::Bytes& bytes) = 0;
};

class GroupLeaderRunner final : public TrialRunner {
 public:
  /// `channel` must outlive the runner; `inner` trains this rank's replica.
  GroupLeaderRunner(GroupChannel& channel, std::unique_ptr<TrialRunner> inner);
  TrialOutcome run(const TrialAssignment& trial, const EpochCallback& on_epoch,
                   const InterruptCheck& should_stop) override;
  TestResult evaluate_test(const TrialAssignment& trial) override;

 private:
  GroupChannel& channel_;
  std::unique_ptr<TrialRunner> inner_;
};

/// Leader: tells the members to return from run_group_member (after the WorkerLoop ends).
void release_group_members(GroupChannel& channel);

/// Member: runs the leader's commands with `runner` until released. Throws MpiError on a
/// malformed command.
void run_group_member(GroupChannel& channel, TrialRunner& runner);

}  // namespace rungs
