#pragma once
/// The Slurm job's time limit as rank 0 sees it, for preemption.before_limit_seconds: the
/// study saves itself and exits 75 (requeue) that long before Slurm would kill it.
#include <optional>
#include <string>
#include <vector>

#include "study/trial.h"

namespace rungs {

/// Seconds a duration as Slurm prints it names: "45", "12:05" (minutes:seconds),
/// "1:02:03", "2-03:04:05", "2-03" (days-hours), "2-03:04". nullopt for "UNLIMITED",
/// "NOT_SET", "INVALID" or anything else that is not a duration.
std::optional<double> parse_slurm_duration(const std::string& text);

/// Seconds left before the time limit of the Slurm job this process runs in: from
/// SLURM_JOB_END_TIME (unix seconds, set by recent Slurm) or else from
/// `squeue --noheader --jobs $SLURM_JOB_ID --format %L`. nullopt outside Slurm (no
/// SLURM_JOB_ID), for a job without a limit, or when neither source answers.
std::optional<double> slurm_seconds_left();

/// Seconds left before the time limit of Slurm job `job_id`, from squeue (for `rungs status`
/// on a login node); nullopt when squeue is missing, the job is gone or has no limit.
std::optional<double> slurm_job_seconds_left(const std::string& job_id);

/// checkpoints.fit_limit: the seconds `trial`'s next epoch is expected to take, the median of
/// its last three measured epochs (EpochResult::seconds); nullopt before its first epoch.
std::optional<double> expected_epoch_seconds(const TrialRecord& trial);

/// The shortest expected epoch of any trial in `trials` that has run one: what a new run on
/// an idle worker needs at least; nullopt while no epoch is measured.
std::optional<double> shortest_expected_epoch(const std::vector<TrialRecord>& trials);

}  // namespace rungs
