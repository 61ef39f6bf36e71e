#pragma once
/// What the status command and the HTML report compute from a study's trials: counts by
/// status, the rungs' occupancy and the optimization history. Pure functions of the records.
#include <array>
#include <map>
#include <vector>

#include "study/trial.h"

namespace rungs::report {

/// Trials per status, indexed by TrialStatus.
struct StatusCounts {
  std::array<int, 5> by_status{};  ///< Running, Paused, Completed, Stopped, Failed
  int total = 0;

  int operator[](TrialStatus status) const { return by_status[static_cast<int>(status)]; }
  /// Completed + Stopped + Failed.
  int finished() const;
};

StatusCounts count_statuses(const std::vector<TrialRecord>& trials);

/// The rungs' occupancy: for each rung (TrialRecord::rung, a trial's highest rung), the
/// trials that reached it last, by status. Rungs without trials below the highest one
/// are present with zero counts.
std::map<int, StatusCounts> rung_occupancy(const std::vector<TrialRecord>& trials);

/// One point of the optimization history: a trial that got its first result.
struct HistoryPoint {
  int trial_id = 0;
  double time = 0.0;        ///< seconds since the study started when the value was reached
  double value = 0.0;       ///< the trial's value (best over its epochs)
  double best_so_far = 0.0; ///< the best value of this trial and every earlier point
};

/// The best value so far over trials, in trial id order (Optuna's optimization history):
/// one point per trial with a value that did not fail.
std::vector<HistoryPoint> history_by_trial(const std::vector<TrialRecord>& trials,
                                           Direction direction);

/// The best value so far over time: one point per epoch result of a trial that did not
/// fail, ordered by the time rank 0 received it, `value` being that epoch's metric; only
/// the points where the best so far changed (a step function).
std::vector<HistoryPoint> history_over_time(const std::vector<TrialRecord>& trials,
                                            Direction direction);

}  // namespace rungs::report
