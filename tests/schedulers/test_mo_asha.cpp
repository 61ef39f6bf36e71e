// MO-ASHA (schedulers/mo_asha.h): a rung's results ranked by Pareto rank and crowding
// distance, so that a trial best on the second objective goes on where ASHA by the first
// would stop it.
#include "schedulers/mo_asha.h"

#include <gtest/gtest.h>

#include "scheduler_fixture.h"

namespace rungs {
namespace {

using testing::Driver;
using K = NextAction::Kind;

const std::vector<Objective> kObjectives = {{"acc", Direction::Maximize}, {"params", Direction::Minimize}};

/// Appends the trial's next epoch with both metrics and returns the verdict.
Verdict report(Scheduler& s, Driver& d, int id, double acc, double params) {
  TrialRecord& t = d.trials.at(static_cast<std::size_t>(id));
  EpochResult r;
  r.epoch = t.epochs_run() + 1;
  r.value = acc;
  r.metrics = {{"acc", acc}, {"params", params}};
  t.curve.push_back(r);
  return s.on_report(t, d.trials);
}

TEST(MoAsha, RungsRankByParetoFrontsThenCrowding) {
  MoAshaScheduler mo({1, 4, 2, 0}, kObjectives, false);  // rungs at 1, 2, 4; eta 2
  Driver d(mo);
  std::vector<int> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(d.start(4));
  EXPECT_EQ(report(mo, d, ids[0], 0.80, 1000), Verdict::Continue) << "n=1: the first arrival goes on";
  EXPECT_EQ(report(mo, d, ids[1], 0.90, 2000), Verdict::Continue) << "n=2: on the front, tied at the extremes";
  EXPECT_EQ(report(mo, d, ids[2], 0.85, 1500), Verdict::Stop) << "n=3, quota 1: on the front but crowded";
  // The worst accuracy so far, but the fewest parameters: on the front, at its extreme.
  // ASHA by accuracy alone would stop it (quota 2 of 4, and three are more accurate).
  EXPECT_EQ(report(mo, d, ids[3], 0.70, 10), Verdict::Continue);
  EXPECT_EQ(report(mo, d, ids[4], 0.60, 3000), Verdict::Stop) << "dominated by every other";
  TrialRecord& missing = d.trials[static_cast<std::size_t>(ids[5])];
  EpochResult r;
  r.epoch = 1;
  r.value = 0.99;
  r.metrics = {{"acc", 0.99}};
  missing.curve.push_back(r);
  EXPECT_EQ(mo.on_report(missing, d.trials), Verdict::Stop) << "a missing objective stops it, like NaN";
  EXPECT_EQ(mo.recorded(0), 5);
}

TEST(MoAsha, PromotionResumesTheBestPausedTrialOfTheHighestRung) {
  MoAshaScheduler mo({1, 3, 3, 0}, kObjectives, true);  // rungs at 1 and 3; eta 3
  Driver d(mo);
  const int a = d.start(3), b = d.start(3), c = d.start(3);
  EXPECT_EQ(report(mo, d, a, 0.5, 100), Verdict::Pause);
  EXPECT_EQ(report(mo, d, b, 0.6, 50), Verdict::Pause);  // dominates a
  EXPECT_EQ(report(mo, d, c, 0.4, 200), Verdict::Pause);
  for (int id : {a, b, c}) d.end(id, TrialStatus::Paused);
  const NextAction next = d.next(false);
  EXPECT_EQ(next.kind, K::ResumeTrial);
  EXPECT_EQ(next.trial_id, b) << "quota floor(3/3) = 1: the non-dominated one";
  EXPECT_EQ(next.epochs, 3);
  d.resume(b);
  EXPECT_EQ(d.next(false).kind, K::Wait) << "no other paused trial is in the quota";

  // A rebuilt scheduler (a resumed study) takes the same decision.
  MoAshaScheduler again({1, 3, 3, 0}, kObjectives, true);
  d.trials[static_cast<std::size_t>(b)].status = TrialStatus::Paused;
  again.rebuild(d.trials);
  const NextAction same = again.next(SchedulerView{d.trials, false, 0});
  EXPECT_EQ(same.kind, K::ResumeTrial);
  EXPECT_EQ(same.trial_id, b);
}

TEST(MoAsha, AshaWithObjectivesIsMoAsha) {
  const StudyConfig config = testing::study("{name: asha, mode: promotion}");
  const auto single = make_scheduler(config.scheduler, 9, Direction::Maximize);
  const auto multi = make_scheduler(config.scheduler, 9, Direction::Maximize, {nullptr, 0, kObjectives});
  EXPECT_EQ(dynamic_cast<MoAshaScheduler*>(single.get()), nullptr);
  ASSERT_NE(dynamic_cast<MoAshaScheduler*>(multi.get()), nullptr);
  EXPECT_TRUE(multi->pauses());
}

}  // namespace
}  // namespace rungs
