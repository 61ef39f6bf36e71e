#pragma once
/// One trial lifecycle: what the coordinator (mpi_driver/coordinator.cpp) and the simulator
/// (schedulers/sim/simulation.cpp) both do with a trial, as pure functions over its record,
/// so that what is simulated is what runs. No MPI, HDF5 or LibTorch; no clocks (callers pass
/// the time), no I/O (callers record and send).
///
/// 1. dispatch: next_dispatch() asks the scheduler what an idle worker does, checks the
///    answer (a start of >= 1 epochs; a resume of an existing Paused trial to more epochs
///    than it has and at most its max_epochs; a new segment it begins with starts at the
///    epochs run and clones a checkpoint that exists, and is appended to trial.segments,
///    the first segment, of trial.params, before it) and, for a start, asks the sampler and appends
///    the new record; begin_run() marks the record running on a worker.
/// 2. the epoch reports: epoch_problem() checks a report comes in sequence; record_epoch()
///    appends it, tells the sampler and then the scheduler, raises the rung and returns the
///    verdict; a worker waits for that verdict unless the epoch ends its assignment
///    (awaits_verdict()).
/// 3. the end of a run: end_run() maps the runner's outcome to the record's status;
///    finish() closes a trial that ended Completed, Stopped or Failed (never a Paused one).
#include <cstdint>
#include <string>
#include <vector>

#include "samplers/sampler.h"
#include "schedulers/scheduler.h"
#include "study/config.h"
#include "study/trial.h"
#include "study/trial_runner.h"

namespace rungs::lifecycle {

/// What an idle worker is to do, from next_dispatch().
struct Dispatch {
  enum class Kind {
    Run,     ///< run `trial` until `end_epoch` epochs in all (a new trial or a resume)
    Wait,    ///< nothing now: ask again after the next message
    Finish,  ///< the study is over once no trial runs
  };
  Kind kind = Kind::Wait;
  TrialRecord* trial = nullptr;  ///< Run: the record, in `trials`
  bool resume = false;           ///< Run: a paused trial, not a new one
  int end_epoch = 0;             ///< Run: epochs in all when the assignment ends
  /// Run: the segment the resume begins with (the last of trial->segments), nullptr when
  /// it goes on as it was. A cloned one needs the donor's checkpoint copied first.
  const Segment* begun = nullptr;
};

/// What next_dispatch() reads and keeps between calls.
struct DispatchState {
  int max_trials = 0;             ///< budget.max_trials
  std::uint64_t study_seed = 0;   ///< trial seeds derive from it
  bool sampler_exhausted = false; ///< the sampler had nothing more to suggest
  /// Why budget.seconds or budget.epochs_total is spent (spent_budget()); "" while not.
  /// Once set, every dispatch is Finish: no trial starts or resumes.
  std::string budget_spent;
  bool stop_when_spent = false;   ///< budget.when_spent: stop
};

/// The state a study's dispatch starts from: its budget and seed.
DispatchState dispatch_state(const StudyConfig& config);

/// Which of budget.seconds and budget.epochs_total the study has spent after
/// `elapsed_seconds` (across requeues) with `epochs_recorded` epochs in all its curves:
/// "budget.seconds (3600) spent", or "" while neither is (or neither is set).
std::string spent_budget(double seconds, long epochs_total, double elapsed_seconds,
                         long epochs_recorded);

/// Once the budget is spent, a running trial goes on only to its next rung: a Continue for
/// the epoch at which its rung rose from `rung_before` becomes Stop. Trials of a scheduler
/// without rungs (fifo, median) run to the end of their assignment. With
/// state.stop_when_spent every Continue becomes Stop: trials stop after the epoch they are in.
Verdict within_budget(Verdict verdict, const DispatchState& state, int rung_before,
                      const TrialRecord& trial);

/// Asks `scheduler` what an idle worker does while `running` trials run, and carries it out
/// on `trials` (a new trial starts at `now`, appended, scheduler.on_trial_start() told).
/// A sampler with nothing left sets state.sampler_exhausted and asks again. Throws
/// rungs::Error for an answer that would break the study: a start of no epochs, a resume of
/// a trial that does not exist or is not paused, or to epochs outside (epochs run, max_epochs].
Dispatch next_dispatch(DispatchState& state, std::vector<TrialRecord>& trials, Sampler& sampler,
                       Scheduler& scheduler, int running, double now);

/// The record of a run starting on rank `worker`: Running there, one more attempt.
void begin_run(TrialRecord& trial, int worker);

/// Empty when a report of `epoch` comes in sequence (the trial's next epoch); otherwise
/// what is wrong ("epoch 3 of trial 7, which has 1").
std::string epoch_problem(const TrialRecord& trial, int epoch);

/// Appends `result` to the trial's curve (a checkpointed epoch becomes its checkpoint_epoch;
/// the stored result's `checkpointed` is cleared: the record's checkpoint_epoch says it),
/// then tells the sampler and the scheduler, and raises the trial's rung to the scheduler's.
/// Returns the scheduler's verdict.
Verdict record_epoch(TrialRecord& trial, EpochResult result, std::vector<TrialRecord>& trials,
                     Sampler& sampler, Scheduler& scheduler);

/// Whether the worker waits for the verdict on `epoch`: not after the last epoch of its
/// assignment, where it ends the run on its own.
inline bool awaits_verdict(int epoch, int end_epoch) { return epoch < end_epoch; }

/// What end_run() made of a run's end.
enum class RunEnd {
  Paused,   ///< Paused: waits for a ResumeTrial
  Over,     ///< Completed, Stopped or Failed: call finish()
  Running,  ///< Interrupted or Halted: stays Running, resumes from its checkpoint later
};

/// Applies a run's outcome to its record: Finished is Completed with all max_epochs run,
/// Paused short of them; Stopped is Completed with all of them, else Stopped; Paused is
/// Paused; Failed is Failed with the reason. A run that ends Finished, Stopped or Paused
/// leaves its weights in its checkpoint (checkpoint_epoch = epochs run) when the runner
/// `has_checkpoints`. Interrupted and Halted change nothing.
RunEnd end_run(TrialRecord& trial, const TrialOutcome& outcome, bool has_checkpoints = true);

/// A run the coordinator paused for the job's time limit (checkpoints.fit_limit), after
/// end_run() made it Paused: Running again, with the checkpoint its pause wrote, so that the
/// next job resumes it as it does every trial a stop left running.
void park(TrialRecord& trial);

/// Closes a trial that is over: its end time, then the scheduler and the sampler are told.
void finish(TrialRecord& trial, double end_time, Scheduler& scheduler, Sampler& sampler);

}  // namespace rungs::lifecycle
