#include "schedulers/asha.h"

#include <gtest/gtest.h>

#include <limits>

#include "scheduler_fixture.h"

namespace rungs {
namespace {

using testing::Driver;
using testing::option_error;
using K = NextAction::Kind;

TEST(AshaStop, FirstArrivalsAndCutoffsAtTheBottomRung) {
  AshaScheduler asha({1, 9, 3, 0}, Direction::Maximize, false);  // rungs at 1, 3, 9
  Driver d(asha);
  const NextAction a = d.next();
  EXPECT_EQ(a.kind, K::StartTrial);
  EXPECT_EQ(a.epochs, 9) << "trials may run to max_resource";
  std::vector<int> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(d.start(9));
  EXPECT_EQ(d.report(ids[0], 0.50), Verdict::Continue) << "n=1: the first arrival goes on";
  EXPECT_EQ(d.report(ids[1], 0.40), Verdict::Stop) << "n=2, quota 1: not the best";
  EXPECT_EQ(d.report(ids[2], 0.60), Verdict::Continue) << "n=3, quota 1: the best";
  EXPECT_EQ(d.report(ids[3], 0.55), Verdict::Stop) << "n=4, quota 1: 0.60 is better";
  EXPECT_EQ(d.report(ids[4], 0.60), Verdict::Continue) << "n=5, quota 1: ties with the best";
  EXPECT_EQ(d.report(ids[5], 0.58), Verdict::Stop) << "n=6, quota 2: two are better";
  EXPECT_EQ(d.report(ids[6], 0.59), Verdict::Stop) << "n=7, quota 2: two are better";
  EXPECT_EQ(asha.bracket().recorded(0), 7);
}

TEST(AshaStop, BetweenRungsTrialsGoOnAndTheTopEndsThem) {
  AshaScheduler asha({1, 9, 3, 0}, Direction::Maximize, false);
  Driver d(asha);
  const int t = d.start(9);
  EXPECT_EQ(d.report(t, 0.1), Verdict::Continue);  // rung 0, first
  EXPECT_EQ(d.report(t, 0.2), Verdict::Continue);  // epoch 2: no rung
  EXPECT_EQ(asha.rung_of(d.trials[t]), 0);
  EXPECT_EQ(d.report(t, 0.3), Verdict::Continue);  // rung 1, first
  EXPECT_EQ(asha.rung_of(d.trials[t]), 1);
  for (int e = 4; e < 9; ++e) EXPECT_EQ(d.report(t, 0.3), Verdict::Continue);
  EXPECT_EQ(d.report(t, 0.4), Verdict::Stop) << "at R its work is done";
  EXPECT_EQ(asha.rung_of(d.trials[t]), 2);
  EXPECT_EQ(d.trials[t].rung, 2);
}

TEST(AshaStop, AReportThatSkipsARungIsJudgedThere) {
  AshaScheduler asha({1, 9, 3, 0}, Direction::Maximize, false);
  Driver d(asha);
  const int a = d.start(9), b = d.start(9);
  d.report(a, 0.5);
  d.report(a, 0.8, 3);  // rung 1: 0.8
  d.report(b, 0.6);     // rung 0: best of two
  EXPECT_EQ(d.report(b, 0.7, 5), Verdict::Stop) << "epoch 5 passed rung 1 (3 epochs), where 0.8 is better";
  EXPECT_EQ(asha.bracket().recorded(1), 2);
  EXPECT_EQ(asha.rung_of(d.trials[b]), 1);
}

TEST(AshaStop, NaNStopsAndIsNotRecorded) {
  AshaScheduler asha({1, 9, 3, 0}, Direction::Maximize, false);
  Driver d(asha);
  const int t = d.start(9);
  EXPECT_EQ(d.report(t, std::numeric_limits<double>::quiet_NaN()), Verdict::Stop);
  EXPECT_EQ(asha.bracket().recorded(0), 0);
  EXPECT_EQ(d.report(d.start(9), 0.1), Verdict::Continue) << "still the first arrival";
}

TEST(AshaStop, MinimizingAndALaterBracket) {
  AshaScheduler asha({1, 9, 3, 1}, Direction::Minimize, false);  // rungs at 3, 9
  Driver d(asha);
  const int a = d.start(9), b = d.start(9);
  d.report_all(a, {0.5, 0.4, 0.3});
  EXPECT_EQ(d.report(b, 9.0), Verdict::Continue) << "no rung before 3 epochs in bracket 1";
  EXPECT_EQ(d.report(b, 9.0), Verdict::Continue);
  EXPECT_EQ(d.report(b, 0.35), Verdict::Stop) << "0.3 is lower";
  const int c = d.start(9);
  EXPECT_EQ(d.report_all(c, {0.9, 0.9, 0.25}), Verdict::Continue);
  EXPECT_EQ(asha.rung_of(d.trials[c]), 1) << "rung numbers are absolute: 3 epochs is rung 1";
}

TEST(AshaStop, ATrialRestartedFromAnOlderCheckpointIsJudgedOncePerRung) {
  AshaScheduler asha({1, 9, 3, 0}, Direction::Maximize, false);
  Driver d(asha);
  const int a = d.start(9), b = d.start(9);
  d.report(a, 0.9);
  EXPECT_EQ(d.report(b, 0.5), Verdict::Stop);
  d.trials[a].curve.clear();  // the study resumed after a crash; trial a restarts from scratch
  EXPECT_EQ(d.report(a, 0.1), Verdict::Continue) << "judged at rung 0 already";
  EXPECT_EQ(asha.bracket().recorded(0), 2);
  AshaScheduler rebuilt({1, 9, 3, 0}, Direction::Maximize, false);
  rebuilt.rebuild(d.trials);
  EXPECT_EQ(rebuilt.bracket().recorded(0), 2);
}

TEST(AshaPromotion, PausesAtRungsAndPromotesTheBestOfTheTopThird) {
  AshaScheduler asha({1, 9, 3, 0}, Direction::Maximize, true);
  Driver d(asha);
  std::vector<int> ids;
  for (double v : {0.5, 0.7, 0.6}) {
    ASSERT_EQ(d.next().kind, K::StartTrial);
    const int t = d.start(9);
    EXPECT_EQ(d.report(t, v), Verdict::Pause);
    ids.push_back(t);
  }
  // Trial 1 reported but its pause has not arrived: it cannot be resumed yet.
  d.end(ids[0], TrialStatus::Paused);
  d.end(ids[2], TrialStatus::Paused);
  EXPECT_EQ(d.next().kind, K::StartTrial) << "0.7 is the only one in the top third, and it runs";
  d.end(ids[1], TrialStatus::Paused);
  const NextAction a = d.next();
  EXPECT_EQ(a.kind, K::ResumeTrial);
  EXPECT_EQ(a.trial_id, ids[1]);
  EXPECT_EQ(a.epochs, 3) << "to the next rung";
  d.resume(ids[1]);
  EXPECT_EQ(d.next().kind, K::StartTrial) << "quota of 3 results used up";
  EXPECT_EQ(d.next(false).kind, K::Wait) << "trial 1 runs; its result may promote others";
  EXPECT_EQ(d.report(ids[1], 0.71), Verdict::Continue);
  EXPECT_EQ(d.report(ids[1], 0.72), Verdict::Pause);
  d.end(ids[1], TrialStatus::Paused);
  EXPECT_EQ(d.next(false).kind, K::Finish) << "nothing runs, nobody is promotable, no budget";
}

TEST(AshaPromotion, HigherRungsArePromotedFirst) {
  AshaScheduler asha({1, 9, 3, 0}, Direction::Maximize, true);
  Driver d(asha);
  // Three at rung 1 (3 epochs) and six at rung 0.
  for (int i = 0; i < 3; ++i) {
    const int t = d.start(9);
    d.report_all(t, {0.5, 0.5, 0.5 + 0.01 * i});
    d.end(t, TrialStatus::Paused);
  }
  for (int i = 0; i < 6; ++i) {
    const int t = d.start(9);
    d.report(t, 0.3 + 0.01 * i);
    d.end(t, TrialStatus::Paused);
  }
  NextAction a = d.next();
  EXPECT_EQ(a.kind, K::ResumeTrial);
  EXPECT_EQ(a.trial_id, 2) << "the best of rung 1";
  EXPECT_EQ(a.epochs, 9);
  d.resume(a.trial_id);
  // Rung 0 holds 9 results (the three at rung 1 recorded there too): quota 3, and the
  // best three of them are trials 0-2, which left it. Nobody else is in the top third.
  a = d.next();
  EXPECT_EQ(a.kind, K::StartTrial);
}

TEST(AshaPromotion, RebuildGivesTheSameDecisions) {
  AshaScheduler original({1, 9, 3, 0}, Direction::Maximize, true);
  Driver d(original);
  for (int i = 0; i < 12; ++i) {
    const int t = d.start(9);
    d.report(t, 0.1 * (i % 5));
    d.end(t, TrialStatus::Paused);
  }
  // One promoted and running.
  const NextAction first = d.next();
  ASSERT_EQ(first.kind, K::ResumeTrial);
  d.resume(first.trial_id);
  d.report(first.trial_id, 0.9);

  AshaScheduler rebuilt({1, 9, 3, 0}, Direction::Maximize, true);
  rebuilt.rebuild(d.trials);
  for (int round = 0; round < 6; ++round) {
    const SchedulerView view{d.trials, round < 3, d.running()};
    const NextAction x = original.next(view), y = rebuilt.next(view);
    EXPECT_EQ(x.kind, y.kind) << round;
    EXPECT_EQ(x.trial_id, y.trial_id) << round;
    EXPECT_EQ(x.epochs, y.epochs) << round;
    if (x.kind == K::ResumeTrial) d.resume(x.trial_id);
  }
}

TEST(AshaOptions, ValidatedWithTheValueInTheMessage) {
  EXPECT_EQ(option_error("{name: asha}"), "");
  EXPECT_EQ(option_error("{name: asha, min_resource: 1, max_resource: 9, reduction_factor: 3, "
                         "bracket: 2, mode: promotion}"),
            "");
  EXPECT_EQ(option_error("{name: asha, reduction_factor: 1}"),
            "study.yaml: scheduler.reduction_factor: 1 must be >= 2");
  EXPECT_EQ(option_error("{name: asha, reduction_factor: 2.5}"),
            "study.yaml: scheduler.reduction_factor: 2.5 must be an integer");
  EXPECT_EQ(option_error("{name: asha, min_resource: 0}"),
            "study.yaml: scheduler.min_resource: 0 must be >= 1");
  EXPECT_EQ(option_error("{name: asha, max_resource: 20}"),
            "study.yaml: scheduler.max_resource: 20 must be <= the study's budget.epochs (9)");
  EXPECT_EQ(option_error("{name: asha, min_resource: 10}"),
            "study.yaml: scheduler.min_resource: 10 must be <= max_resource (9)");
  EXPECT_EQ(option_error("{name: asha, bracket: 3}"),
            "study.yaml: scheduler.bracket: 3 leaves no rung at or below max_resource (9): "
            "min_resource * reduction_factor^bracket > 9; the largest bracket is 2");
  EXPECT_EQ(option_error("{name: asha, mode: fast}"),
            "study.yaml: scheduler.mode: fast must be 'stop' or 'promotion'");
  EXPECT_EQ(option_error("{name: asha, eta: 3}"),
            "study.yaml: scheduler.eta: 3 is not an option of asha");
  EXPECT_EQ(option_error("{name: ashaa}"),
            "study.yaml: scheduler.name: 'ashaa' is not a scheduler (expected: fifo, asha, "
            "successive_halving, hyperband, median, pbt)");
}

}  // namespace
}  // namespace rungs

namespace rungs {
namespace {

/// Finished trials of an earlier study (warm_start): ids < 0, a value at every epoch.
std::vector<TrialRecord> earlier_study(int count, double value, int epochs) {
  std::vector<TrialRecord> out;
  for (int i = 0; i < count; ++i) {
    TrialRecord t;
    t.id = -1 - i;
    t.status = TrialStatus::Completed;
    for (int e = 1; e <= epochs; ++e) t.curve.push_back({e, value, 0.0, 0.0, {}, false});
    out.push_back(t);
  }
  return out;
}

TEST(AshaWarmStart, AnEarlierStudysTrialsCountAtTheRungs) {
  AshaScheduler cold({1, 9, 3, 0}, Direction::Maximize, false);
  testing::Driver c(cold);
  EXPECT_EQ(c.report(c.start(9), 0.5), Verdict::Continue) << "alone at the rung, it goes on";

  AshaScheduler warm({1, 9, 3, 0}, Direction::Maximize, false);
  EXPECT_TRUE(warm.add_prior(earlier_study(5, 0.8, 9)));
  EXPECT_EQ(warm.bracket().recorded(0), 5);
  EXPECT_EQ(warm.bracket().recorded(2), 5);
  testing::Driver w(warm);
  const int t = w.start(9);
  EXPECT_EQ(w.report(t, 0.5), Verdict::Stop) << "five earlier trials did better at this rung";
  const int u = w.start(9);
  EXPECT_EQ(w.report(u, 0.9), Verdict::Continue);

  warm.rebuild(w.trials);  // a resumed study keeps what it learned from the earlier one
  EXPECT_EQ(warm.bracket().recorded(0), 7);
}

}  // namespace
}  // namespace rungs
