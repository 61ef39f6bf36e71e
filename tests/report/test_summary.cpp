// Counts, rung occupancy and optimization histories, as status and the report show them.
#include <gtest/gtest.h>

#include "report/summary.h"

namespace rungs::report {
namespace {

TrialRecord trial(int id, TrialStatus status, int rung, std::vector<double> values, double t0 = 0) {
  TrialRecord t;
  t.id = id;
  t.status = status;
  t.rung = rung;
  for (std::size_t i = 0; i < values.size(); ++i) {
    EpochResult e;
    e.epoch = static_cast<int>(i) + 1;
    e.value = values[i];
    e.time = t0 + static_cast<double>(i) + 1;
    t.curve.push_back(e);
  }
  return t;
}

TEST(Summary, CountsTrialsByStatus) {
  const std::vector<TrialRecord> trials = {
      trial(0, TrialStatus::Completed, 0, {0.5}), trial(1, TrialStatus::Stopped, 0, {0.4}),
      trial(2, TrialStatus::Failed, 0, {}), trial(3, TrialStatus::Running, 0, {0.1}),
      trial(4, TrialStatus::Completed, 0, {0.7})};
  const StatusCounts counts = count_statuses(trials);
  EXPECT_EQ(counts.total, 5);
  EXPECT_EQ(counts[TrialStatus::Completed], 2);
  EXPECT_EQ(counts[TrialStatus::Stopped], 1);
  EXPECT_EQ(counts[TrialStatus::Failed], 1);
  EXPECT_EQ(counts[TrialStatus::Running], 1);
  EXPECT_EQ(counts[TrialStatus::Paused], 0);
  EXPECT_EQ(counts.finished(), 4);
}

TEST(Summary, RungOccupancyListsEveryRungUpToTheHighest) {
  const std::vector<TrialRecord> trials = {
      trial(0, TrialStatus::Stopped, 0, {0.5}), trial(1, TrialStatus::Stopped, 0, {0.4}),
      trial(2, TrialStatus::Completed, 2, {0.1, 0.2, 0.3}), trial(3, TrialStatus::Running, 2, {})};
  const auto rungs = rung_occupancy(trials);
  ASSERT_EQ(rungs.size(), 3u);
  EXPECT_EQ(rungs.at(0).total, 2);
  EXPECT_EQ(rungs.at(0)[TrialStatus::Stopped], 2);
  EXPECT_EQ(rungs.at(1).total, 0);
  EXPECT_EQ(rungs.at(2).total, 2);
  EXPECT_EQ(rungs.at(2)[TrialStatus::Running], 1);
}

TEST(Summary, HistoryByTrialKeepsTheBestSoFarAndSkipsFailedTrials) {
  const std::vector<TrialRecord> trials = {
      trial(0, TrialStatus::Completed, 0, {0.5, 0.6}), trial(1, TrialStatus::Failed, 0, {0.99}),
      trial(2, TrialStatus::Stopped, 0, {0.4}), trial(3, TrialStatus::Completed, 0, {0.7, 0.65}),
      trial(4, TrialStatus::Running, 0, {})};
  const auto points = history_by_trial(trials, Direction::Maximize);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].trial_id, 0);
  EXPECT_DOUBLE_EQ(points[0].value, 0.6);
  EXPECT_DOUBLE_EQ(points[1].best_so_far, 0.6);
  EXPECT_EQ(points[2].trial_id, 3);
  EXPECT_DOUBLE_EQ(points[2].best_so_far, 0.7);
  EXPECT_DOUBLE_EQ(points[2].time, 1.0);  // when trial 3 reached 0.7
}

TEST(Summary, HistoryOverTimeIsAStepFunctionInTimeOrder) {
  // Trial 1 started later but its first epoch beats trial 0's second.
  const std::vector<TrialRecord> trials = {trial(0, TrialStatus::Completed, 0, {3.0, 2.0, 1.5}, 0),
                                           trial(1, TrialStatus::Completed, 0, {1.8, 1.0}, 0.5)};
  const auto steps = history_over_time(trials, Direction::Minimize);
  std::vector<double> best, times;
  for (const auto& p : steps) {
    best.push_back(p.best_so_far);
    times.push_back(p.time);
  }
  EXPECT_EQ(best, (std::vector<double>{3.0, 1.8, 1.0}));
  EXPECT_EQ(times, (std::vector<double>{1.0, 1.5, 2.5}));
}

}  // namespace
}  // namespace rungs::report
