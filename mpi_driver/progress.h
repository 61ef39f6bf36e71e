#pragma once
/// Progress lines on rank 0, written for a Slurm log file: one line per finished trial and a
/// periodic summary, each prefixed with the UTC time and the study's elapsed time (a job's
/// log is appended to across requeues, so the clock tells the runs apart).
#include <ctime>
#include <string>
#include <vector>

#include "study/config.h"
#include "study/trial.h"

namespace rungs {

/// "[2026-12-02T00:41:05Z 00:01:23] " for 83 seconds of study at `now`.
std::string elapsed_prefix(double seconds, std::time_t now);
/// The same, now.
std::string elapsed_prefix(double seconds);
/// "trial 7 completed after 10 epochs (12.3 s, rank 2): val_accuracy 0.8712 | best 0.8790 (trial 3) | {lr: ...}"
std::string trial_line(const TrialRecord& trial, const std::vector<TrialRecord>& trials,
                       const StudyConfig& config);
/// "12/40 trials done (10 completed, 1 stopped, 1 failed), 2 running | best val_accuracy 0.8790 (trial 3)"
std::string summary_line(const std::vector<TrialRecord>& trials, const StudyConfig& config);

}  // namespace rungs
