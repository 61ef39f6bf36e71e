#pragma once
/// Trials that run the user's own program (objective.command) on a worker rank: one process
/// per trial run, launched with the trial's hyperparameters, talking to rungs through the
/// client (command/client/rungs_trial.py) over a socket pair: JSON lines, one report per
/// epoch from the program, one decision per report from rungs. Or, with
/// objective.report.regex, a program that has no client: its stdout lines that match are its
/// reports, and it is ended with signals (resumed with objective.resume_args). The protocol,
/// the environment and the failure table are in docs/programs.md. No LibTorch, no MPI.
#include <memory>
#include <string>

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
};

std::unique_ptr<TrialRunner> make_command_runner(const CommandSettings& settings);

}  // namespace rungs
