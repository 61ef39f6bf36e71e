#include "report/summary.h"

#include <algorithm>
#include <cmath>

namespace rungs::report {

int StatusCounts::finished() const {
  return (*this)[TrialStatus::Completed] + (*this)[TrialStatus::Stopped] +
         (*this)[TrialStatus::Failed];
}

StatusCounts count_statuses(const std::vector<TrialRecord>& trials) {
  StatusCounts counts;
  for (const TrialRecord& trial : trials) {
    ++counts.by_status[static_cast<int>(trial.status)];
    ++counts.total;
  }
  return counts;
}

std::map<int, StatusCounts> rung_occupancy(const std::vector<TrialRecord>& trials) {
  std::map<int, StatusCounts> rungs;
  for (const TrialRecord& trial : trials) {
    StatusCounts& counts = rungs[trial.rung];
    ++counts.by_status[static_cast<int>(trial.status)];
    ++counts.total;
  }
  if (!rungs.empty()) {
    for (int rung = 0; rung < rungs.rbegin()->first; ++rung) rungs[rung];
  }
  return rungs;
}

std::vector<HistoryPoint> history_by_trial(const std::vector<TrialRecord>& trials,
                                           Direction direction) {
  std::vector<const TrialRecord*> ordered;
  for (const TrialRecord& trial : trials) ordered.push_back(&trial);
  std::sort(ordered.begin(), ordered.end(),
            [](const TrialRecord* a, const TrialRecord* b) { return a->id < b->id; });
  std::vector<HistoryPoint> points;
  for (const TrialRecord* trial : ordered) {
    if (trial->status == TrialStatus::Failed) continue;
    const std::optional<double> value = trial->best_value(direction);
    if (!value || std::isnan(*value)) continue;
    HistoryPoint point;
    point.trial_id = trial->id;
    point.value = *value;
    for (const EpochResult& epoch : trial->curve) {
      if (epoch.value == *value) {
        point.time = epoch.time;
        break;
      }
    }
    point.best_so_far = points.empty() || is_better(*value, points.back().best_so_far, direction)
                            ? *value
                            : points.back().best_so_far;
    points.push_back(point);
  }
  return points;
}

std::vector<HistoryPoint> history_over_time(const std::vector<TrialRecord>& trials,
                                            Direction direction) {
  std::vector<HistoryPoint> results;
  for (const TrialRecord& trial : trials) {
    if (trial.status == TrialStatus::Failed) continue;
    for (const EpochResult& epoch : trial.curve) {
      if (std::isnan(epoch.value)) continue;
      results.push_back({trial.id, epoch.time, epoch.value, epoch.value});
    }
  }
  std::stable_sort(results.begin(), results.end(),
                   [](const HistoryPoint& a, const HistoryPoint& b) { return a.time < b.time; });
  std::vector<HistoryPoint> steps;
  for (const HistoryPoint& point : results) {
    if (steps.empty() || is_better(point.value, steps.back().best_so_far, direction)) {
      steps.push_back(point);
    }
  }
  return steps;
}

}  // namespace rungs::report
