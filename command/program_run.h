#pragma once
/// One run of the user's program for a trial, from its launch to its outcome (internal to
/// command/): the reports from its ReportSource go to rank 0 (on_epoch), the program is ended
/// as decided, and the outcome is decided here, the same for both report sources. A program
/// that listens is told to stop and gets objective.timeouts.stop seconds before TERM, then
/// KILL 5 s later; one that does not listen gets TERM at once and KILL after timeouts.stop
/// (unless it ends by itself at the end of its run, see `ends_itself`). A rank's program of
/// a multi-rank trial runs the same lifecycle, its ProgramHooks (command_runner.h) heard in
/// the same loop: the decisions go to its group, and its group can end it.
#include <cstdint>
#include <ostream>
#include <string>

#include "command/child_process.h"
#include "command/command_runner.h"
#include "command/report_source.h"
#include "study/config.h"
#include "study/trial_runner.h"

namespace rungs {

struct RunPlan {
  const ObjectiveConfig* objective = nullptr;  ///< metric, timeouts
  int trial_id = 0;
  std::string name;  ///< "attempt N" (a group member's: "rank R: attempt N"), in rungs.log
  int start_epoch = 0, end_epoch = 0;  ///< this run's epochs: (start_epoch, end_epoch]
  int max_epochs = 0;                  ///< budget.epochs
  /// The program ends by itself after the run's last epoch (its command line says where):
  /// it is given timeouts.stop seconds to exit before TERM, as one that was told.
  bool ends_itself = false;
  std::string stderr_file;  ///< for a failure's reason
  std::string log_file;     ///< the trial's rungs.log, named in messages
};

/// Supervises `child` until it has exited; returns what the run came to. Errors of
/// `on_epoch` (rank 0's) propagate; `log` is the trial's rungs.log.
ProgramResult supervise(ChildProcess& child, ReportSource& source, const RunPlan& plan,
                        const ProgramHooks& hooks, const EpochCallback& on_epoch,
                        const InterruptCheck& should_stop, std::ostream& log);

/// Now, in ms since the Unix epoch (ProgramResult::ended_ms).
std::int64_t unix_ms();

/// Fills `result`'s metrics from a report's, leaving out those study.h5 cannot hold (a bad
/// name, not a number, past 256); returns what it left out, for the trial's log ("": none).
std::string store_metrics(const Metrics& metrics, EpochResult& result);

}  // namespace rungs
