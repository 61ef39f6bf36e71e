#pragma once
/// A program's trial on the K ranks of a trial group (resources.ranks_per_trial: K, e.g.
/// PyTorch DDP): each rank runs one process of the program, with the environment
/// torch.distributed expects (command/rank_env.h); the leader's process reports for the
/// trial and the coordinator's decision on it reaches every process.
///
/// The group protocol, over a GroupLink (non-blocking messages, so no rank ever blocks on
/// another while its program runs):
///   leader -> member: Start(trial, run, port) once its own program has started; a Decision
///     per epoch the leader's program reported (the one it got); Interrupt (rungs is
///     stopping); End(run, now) exactly once per Start, after the leader's program exited;
///     Shutdown when the worker loop ends.
///   member -> leader: Exited(run, what its program came to), exactly once per Start.
/// A member's program that reports waits for the leader's decision on that epoch or for End.
/// The leader, polling between its program's events, ends its own program (TERM, KILL after
/// timeouts.stop) when a member's program failed; after End (`now`, when the leader's program
/// failed: TERM at once; otherwise timeouts.stop to exit first) it waits for every member's
/// Exited, so a trial's processes are gone on all ranks before the next
/// trial starts. Each side sends one message per event and never waits for an answer while
/// a program of its own runs, so a program that dies between reports, on any rank, ends the
/// trial on every rank. The trial's outcome: the first rank's program that failed on its own
/// (killed by a signal rungs did not send first, then the earliest), named "rank R of K:";
/// Interrupted when rungs interrupted the trial or that program exited 75; otherwise the
/// leader's program's outcome. A leader's program that fails with "address already in use"
/// before its first report is run again on the next free port, with every member's.
#include <memory>
#include <string>

#include "command/command_runner.h"
#include "command/group_link.h"

namespace rungs {

/// This rank's part of its group, as trial_groups.h and group_placement.h say.
struct ProgramRank {
  int local_rank = 0, local_size = 1;  ///< among the group's ranks on this rank's node
  /// The leader's only: its group's index among the groups led from its node, how many
  /// there are, and its host as the members reach it.
  int node_group = 0, node_groups = 1;
  std::string master_addr = "127.0.0.1";
};

/// The leader's runner: runs the trial's rank-0 program and leads the members over `link`
/// (which must outlive it).
std::unique_ptr<TrialRunner> make_program_group_leader(const CommandSettings& settings,
                                                       GroupLink& link, const ProgramRank& rank);

/// Leader: tells every member to return from run_program_group_member().
void release_program_group_members(GroupLink& link);

/// Member: runs its programs as the leader says until released. Throws MpiError on a
/// malformed message.
void run_program_group_member(const CommandSettings& settings, GroupLink& link,
                              const ProgramRank& rank);

}  // namespace rungs
