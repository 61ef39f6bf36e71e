#pragma once
/// Trials that run the user's own program (objective.command) on a worker rank: one process
/// per trial run, launched with the trial's hyperparameters, talking to rungs through the
/// client (command/client/rungs_trial.py) over a socket pair: JSON lines, one report per
/// epoch from the program, one decision per report from rungs. Or, with
/// objective.report.regex, a program that has no client: its stdout lines that match are its
/// reports, and it is ended with signals (resumed with objective.resume_args). The protocol,
/// the environment and the failure table are in docs/programs.md. No LibTorch, no MPI.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "study/config.h"
#include "study/trial_runner.h"

namespace rungs {

struct CommandSettings {
  ObjectiveConfig objective;  ///< command, report, resume_args, metric, timeouts
  std::string output_dir;     ///< the study's folder: trials/ID/ and checkpoints/ are in it
  int max_epochs = 0;         ///< budget.epochs
  int threads = 1;            ///< OMP_NUM_THREADS (and MKL's, OpenBLAS's) of the program
  std::string client_dir;     ///< where rungs_trial.py is: put on the program's PYTHONPATH
  std::string study_dir;      ///< the study file's folder, for {study_dir}
  /// Set for every program of this rank (CUDA_VISIBLE_DEVICES: command/rank_env.h).
  std::vector<std::pair<std::string, std::string>> env;
};

std::unique_ptr<TrialRunner> make_command_runner(const CommandSettings& settings);

/// How one rank's program of a multi-rank trial (command/program_group.h) differs from a
/// single-rank trial's run; the defaults are a single-rank trial.
struct ProgramHooks {
  std::vector<std::pair<std::string, std::string>> env;  ///< set for the program, over the rest
  /// 0: this rank writes params.json, numbers the runs (attempt_N.*) and keeps the checkpoints.
  /// Others use rank 0's `attempt` and files attempt_N.rankR.*, and keep no checkpoints.
  int rank = 0;
  int attempt = 0;  ///< for rank > 0: the run's number, as rank 0 chose it
  std::function<void(int attempt)> launched;  ///< the program started (rank 0: params.json is written)
  /// The decision on `epoch` was sent to the program.
  std::function<void(int epoch, const std::string& decision)> decided;
  /// Polled every turn of the runner's loop. An answer ends the run: `now` sends TERM at
  /// once (KILL after timeouts.stop), otherwise the program gets timeouts.stop to exit
  /// first; `outcome`, when set, is the run's outcome.
  struct End {
    bool now = false;
    std::optional<TrialOutcome> outcome;
  };
  std::function<std::optional<End>()> end;
};

/// What one run of a program came to, for its group to judge.
struct ProgramResult {
  TrialOutcome outcome;
  int reports = 0;              ///< reports it sent in this run
  bool address_in_use = false;  ///< it failed before its first report, its stderr saying
                                ///< "address already in use" (MASTER_PORT was taken)
  bool ended_by_hooks = false;  ///< ProgramHooks::end ended it
  bool killed_unasked = false;  ///< killed by a signal rungs did not send
  std::int64_t ended_ms = 0;    ///< when its exit was seen, ms since the Unix epoch
};

/// One run of the trial's program on this rank, as make_command_runner()'s runner does it
/// (a program read through objective.report.regex runs on rank 0 alone: config refuses more).
ProgramResult run_program(const CommandSettings& settings, const TrialAssignment& trial,
                          const ProgramHooks& hooks, const EpochCallback& on_epoch,
                          const InterruptCheck& should_stop);

}  // namespace rungs
