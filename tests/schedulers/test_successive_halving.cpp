#include "schedulers/successive_halving.h"

#include <gtest/gtest.h>

#include "scheduler_fixture.h"

namespace rungs {
namespace {

using testing::Driver;
using testing::option_error;
using K = NextAction::Kind;

/// Starts `values.size()` trials through next() and has each report its first epoch and pause.
std::vector<int> fill_rung0(Driver& d, const std::vector<double>& values) {
  std::vector<int> ids;
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(d.next().kind, K::StartTrial);
    ids.push_back(d.start(9));
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(d.report(ids[i], values[i]), Verdict::Pause);
    d.end(ids[i], TrialStatus::Paused);
  }
  return ids;
}

TEST(SelectPromoted, TopThirdAtLeastOneTiesToTheOlder) {
  EXPECT_EQ(select_promoted({{0, 0.1}, {1, 0.9}, {2, 0.5}}, 3, Direction::Maximize), (std::vector<int>{1}));
  EXPECT_EQ(select_promoted({{0, 0.1}, {1, 0.9}}, 3, Direction::Maximize), (std::vector<int>{1}));
  EXPECT_EQ(select_promoted({{5, 0.5}, {2, 0.5}, {7, 0.5}, {1, 0.1}, {3, 0.2}, {4, 0.3}}, 3,
                            Direction::Maximize),
            (std::vector<int>{2, 5}));
  EXPECT_EQ(select_promoted({{0, 0.1}, {1, 0.9}, {2, 0.5}}, 3, Direction::Minimize), (std::vector<int>{0}));
  EXPECT_TRUE(select_promoted({}, 3, Direction::Maximize).empty());
}

TEST(SuccessiveHalving, EachRungWaitsForAllItsTrials) {
  SuccessiveHalvingScheduler sh({1, 9, 3, 0}, Direction::Maximize, 0);
  Driver d(sh);
  std::vector<int> ids;
  for (int i = 0; i < 9; ++i) {
    ASSERT_EQ(d.next().kind, K::StartTrial);
    ids.push_back(d.start(9));
  }
  const std::vector<double> values{0.3, 0.8, 0.1, 0.5, 0.9, 0.2, 0.4, 0.7, 0.6};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(d.report(ids[i], values[i]), Verdict::Pause);
    d.end(ids[i], TrialStatus::Paused);
    EXPECT_EQ(d.next(false).kind, K::Wait) << "rung 0 is incomplete after " << i + 1;
  }
  // The last report completes the rung: its top third, 0.9 (4), 0.8 (1), 0.7 (7), is
  // resumed best first to 3 epochs, even before the last trial's pause arrives.
  EXPECT_EQ(d.report(ids[8], values[8]), Verdict::Pause);
  for (int expected : {4, 1, 7}) {
    if (expected == 1) d.end(ids[8], TrialStatus::Paused);
    const NextAction a = d.next(false);
    ASSERT_EQ(a.kind, K::ResumeTrial);
    EXPECT_EQ(a.trial_id, expected);
    EXPECT_EQ(a.epochs, 3);
    d.resume(a.trial_id);
  }
  EXPECT_EQ(d.next(false).kind, K::Wait);
  EXPECT_EQ(sh.current_rung(), 1);
  // Rung 1: the assignments end at 3 epochs (the worker pauses without asking).
  for (int id : {4, 1}) {
    d.report_all(id, {0.9, 0.9});
    d.end(id, TrialStatus::Paused);
    EXPECT_EQ(d.next(false).kind, K::Wait);
  }
  d.report_all(7, {0.95, 0.99});
  d.end(7, TrialStatus::Paused);
  NextAction a = d.next(false);
  ASSERT_EQ(a.kind, K::ResumeTrial);
  EXPECT_EQ(a.trial_id, 7) << "the best of rung 1";
  EXPECT_EQ(a.epochs, 9);
  d.resume(7);
  EXPECT_EQ(d.next(false).kind, K::Wait);
  for (int e = 4; e < 9; ++e) EXPECT_EQ(d.report(7, 0.99), Verdict::Continue);
  EXPECT_EQ(d.report(7, 0.99), Verdict::Stop);
  EXPECT_EQ(sh.rung_of(d.trials[7]), 2);
  d.end(7, TrialStatus::Completed);
  EXPECT_EQ(d.next(false).kind, K::Finish);
}

TEST(SuccessiveHalving, BracketsOfNTrialsRunOneAfterTheOther) {
  SuccessiveHalvingScheduler sh({1, 3, 3, 0}, Direction::Maximize, 3);  // rungs at 1, 3
  Driver d(sh);
  const std::vector<int> ids = fill_rung0(d, {0.1, 0.3, 0.2});
  NextAction a = d.next();
  ASSERT_EQ(a.kind, K::ResumeTrial) << "the bracket is full: no new trial before it is done";
  EXPECT_EQ(a.trial_id, ids[1]);
  d.resume(ids[1]);
  EXPECT_EQ(d.next().kind, K::Wait);
  d.report_all(ids[1], {0.4, 0.5});
  d.end(ids[1], TrialStatus::Completed);
  EXPECT_EQ(d.next().kind, K::StartTrial) << "the next bracket";
  const int t = d.start(3);
  EXPECT_EQ(d.next().kind, K::StartTrial);
  EXPECT_EQ(t, 3);
}

TEST(SuccessiveHalving, FailedTrialsCountAsDoneWithTheirRung) {
  SuccessiveHalvingScheduler sh({1, 9, 3, 0}, Direction::Maximize, 0);
  Driver d(sh);
  std::vector<int> ids;
  for (int i = 0; i < 3; ++i) {
    d.next();
    ids.push_back(d.start(9));
  }
  d.report(ids[0], 0.5);
  d.end(ids[0], TrialStatus::Paused);
  d.end(ids[1], TrialStatus::Failed);  // failed in its first epoch
  EXPECT_EQ(d.next(false).kind, K::Wait);
  d.report(ids[2], 0.6);
  d.end(ids[2], TrialStatus::Paused);
  const NextAction a = d.next(false);
  ASSERT_EQ(a.kind, K::ResumeTrial);
  EXPECT_EQ(a.trial_id, ids[2]);
  d.resume(ids[2]);
  d.end(ids[2], TrialStatus::Failed);  // its checkpoint would not load
  EXPECT_EQ(d.next(false).kind, K::Finish) << "rung 1's only member failed: the bracket is over";
}

TEST(SuccessiveHalving, RebuildGivesTheSameDecisions) {
  SuccessiveHalvingScheduler original({1, 9, 3, 0}, Direction::Maximize, 0);
  Driver d(original);
  const std::vector<int> ids = fill_rung0(d, {0.3, 0.8, 0.1, 0.5, 0.9, 0.2, 0.4, 0.7, 0.6});
  NextAction a = d.next(false);
  d.resume(a.trial_id);  // trial 4 runs to 3 epochs
  d.report(a.trial_id, 0.91);

  SuccessiveHalvingScheduler rebuilt({1, 9, 3, 0}, Direction::Maximize, 0);
  rebuilt.rebuild(d.trials);
  for (int round = 0; round < 4; ++round) {
    const SchedulerView view{d.trials, false, d.running()};
    const NextAction x = original.next(view), y = rebuilt.next(view);
    EXPECT_EQ(x.kind, y.kind) << round;
    EXPECT_EQ(x.trial_id, y.trial_id) << round;
    EXPECT_EQ(x.epochs, y.epochs) << round;
    if (x.kind == K::ResumeTrial) d.resume(x.trial_id);
  }
}

TEST(SuccessiveHalvingOptions, Validated) {
  EXPECT_EQ(option_error("{name: successive_halving, trials_per_bracket: 27, bracket: 1}"), "");
  EXPECT_EQ(option_error("{name: successive_halving, trials_per_bracket: -1}"),
            "study.yaml: scheduler.trials_per_bracket: -1 must be >= 0 (0: the whole trial "
            "budget in one bracket)");
  EXPECT_EQ(option_error("{name: successive_halving, reduction_factor: 0}"),
            "study.yaml: scheduler.reduction_factor: 0 must be >= 2");
  EXPECT_EQ(option_error("{name: successive_halving, mode: promotion}"),
            "study.yaml: scheduler.mode: promotion is not an option of successive_halving");
}

}  // namespace
}  // namespace rungs
