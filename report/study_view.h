#pragma once
/// A study as the read-only commands (status, export, report) see it: study.h5 read back,
/// its search space parsed from the stored study file when possible, and the columns
/// every view shares (parameter names in search-space order, the Slurm job id).
#include <optional>
#include <string>
#include <vector>

#include "io/study_file.h"
#include "io/study_lock.h"
#include "study/search_space.h"

namespace rungs::report {

struct StudyView {
  std::string path;  ///< the study.h5 as given
  StoredStudy stored;
  /// The search space of the stored study file; empty when its text no longer parses
  /// (a study written by another rungs version). Views then fall back to what the trials hold.
  std::optional<SearchSpace> space;
  int max_trials = 0;  ///< the study file's budget.max_trials; 0 when unknown
  int max_epochs = 0;  ///< its budget.epochs; 0 when unknown
  MultiObjective multi;           ///< its objectives: and constraints: (none when single)
  double budget_seconds = 0;     ///< its budget.seconds; 0 when not set or unknown
  long budget_epochs_total = 0;  ///< its budget.epochs_total; 0 when not set or unknown
  std::string scheduler;  ///< its scheduler's name; empty when unknown
  /// Every parameter name: the search space's order, then names only trials hold, sorted.
  std::vector<std::string> param_names;
  /// Every metric the trials reported, in name order (study/trial.h metric_names).
  std::vector<std::string> metric_names;
  /// The Slurm job of the study: the root attribute slurm_job_id, else the job named by
  /// the lock; empty when neither has one.
  std::string slurm_job_id;
  /// Who holds study.h5.lock (rank 0 of the job running the study); nullopt when no job
  /// holds it: the study is finished, or stopped, crashed or waiting for a requeue.
  std::optional<LockOwner> lock;
  double file_mtime = 0.0;  ///< unix seconds of the file's last change (its last save)
  /// Seconds left before the time limit of the Slurm job holding the study, where Slurm
  /// tells (`rungs status` asks squeue); nullopt otherwise.
  std::optional<double> job_seconds_left;
};

/// Reads `path` (read-only: the writer replaces study.h5 by rename, so this never disturbs
/// a running study). Throws ConfigError naming the file when it is missing or not a rungs
/// study, so that the commands exit with status 2.
StudyView load_study_view(const std::string& path);

/// Builds the derived fields from `stored` alone (no file access): for tests and callers
/// that already hold a StoredStudy.
StudyView make_study_view(StoredStudy stored, const std::string& path = "study.h5");

/// The value a trial is ranked by: its best metric over its epochs, in the study's
/// direction (as in study.h5's best_value and `rungs best`); nullopt when it has none.
std::optional<double> trial_value(const TrialRecord& trial, Direction direction);

/// The epoch whose value is the trial's value (the first one, on ties); nullptr when none.
const EpochResult* best_epoch(const TrialRecord& trial, Direction direction);

}  // namespace rungs::report
