#include "schedulers/median.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "scheduler_fixture.h"

namespace rungs {
namespace {

using testing::Driver;
using testing::option_error;

TEST(RunningMedian, MatchesSorting) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> draw(0, 20);
  RunningMedian m;
  std::vector<double> all;
  EXPECT_TRUE(std::isnan(m.median()));
  for (int i = 0; i < 500; ++i) {
    const double v = draw(rng) / 4.0;
    m.add(v);
    all.push_back(v);
    std::sort(all.begin(), all.end());
    const std::size_t n = all.size();
    const double expected = n % 2 ? all[n / 2] : (all[n / 2 - 1] + all[n / 2]) / 2.0;
    ASSERT_DOUBLE_EQ(m.median(), expected) << i;
  }
}

TEST(MedianRule, StrictlyWorseThanTheMedianStops) {
  EXPECT_TRUE(median_rule_stops(0.3, 0.4, Direction::Maximize));
  EXPECT_FALSE(median_rule_stops(0.4, 0.4, Direction::Maximize));
  EXPECT_FALSE(median_rule_stops(0.3, 0.4, Direction::Minimize));
  EXPECT_TRUE(median_rule_stops(0.5, 0.4, Direction::Minimize));
  EXPECT_TRUE(median_rule_stops(std::nan(""), 0.4, Direction::Maximize));
  EXPECT_FALSE(median_rule_stops(0.1, std::nan(""), Direction::Maximize));
}

/// Three reference trials: running averages 0.5/0.4/0.3 at epoch 1, 0.55/0.45/0.35 at 2.
void three_references(Driver& d) {
  for (double base : {0.5, 0.4, 0.3}) {
    const int t = d.start(3);
    EXPECT_EQ(d.report_all(t, {base, base + 0.1, base + 0.2}), Verdict::Continue);
    d.end(t, TrialStatus::Completed);
  }
}

TEST(MedianStopping, DecisionsOnHandMadeCurves) {
  MedianStoppingScheduler median(3, 1, 3, Direction::Maximize);
  Driver d(median);
  three_references(d);
  EXPECT_DOUBLE_EQ(median.median_at(1), 0.4);
  EXPECT_DOUBLE_EQ(median.median_at(2), 0.45);

  const int bad = d.start(3);
  EXPECT_EQ(d.report(bad, 0.35), Verdict::Stop) << "best 0.35 < median 0.4";
  d.end(bad, TrialStatus::Stopped);

  const int slow = d.start(3);
  EXPECT_EQ(d.report(slow, 0.45), Verdict::Continue);
  // Its best is still 0.45 at epoch 2: equal to the median of 0.55/0.45/0.35, not worse.
  EXPECT_EQ(d.report(slow, 0.40), Verdict::Continue);
  // Epoch 3: others' running averages 0.6, 0.5, 0.4 (and 0.4333 of itself is not counted).
  EXPECT_EQ(d.report(slow, 0.42), Verdict::Stop) << "best 0.45 < median 0.5";
  // Epoch 1 now holds 5 running averages: 0.3 0.35 0.4 0.45 0.5.
  EXPECT_EQ(median.count_at(1), 5);
  EXPECT_DOUBLE_EQ(median.median_at(1), 0.4);
}

TEST(MedianStopping, GracePeriodAndMinTrials) {
  MedianStoppingScheduler graceful(3, 2, 3, Direction::Maximize);
  Driver d(graceful);
  three_references(d);
  const int t = d.start(3);
  EXPECT_EQ(d.report(t, 0.0), Verdict::Continue) << "inside the grace period";
  EXPECT_EQ(d.report(t, 0.0), Verdict::Stop);

  MedianStoppingScheduler patient(3, 1, 4, Direction::Maximize);
  Driver p(patient);
  three_references(p);
  const int u = p.start(3);
  EXPECT_EQ(p.report(u, 0.0), Verdict::Continue) << "only 3 others reported epoch 1";
  const int w = p.start(3);
  EXPECT_EQ(p.report(w, 0.0), Verdict::Stop) << "4 others now: 0.0 0.3 0.4 0.5, median 0.35";
}

TEST(MedianStopping, Minimizing) {
  MedianStoppingScheduler median(3, 1, 3, Direction::Minimize);
  Driver d(median);
  three_references(d);  // medians 0.4 at epoch 1: lower is better now
  const int good = d.start(3);
  EXPECT_EQ(d.report(good, 0.35), Verdict::Continue);
  const int bad = d.start(3);
  EXPECT_EQ(d.report(bad, 0.45), Verdict::Stop);
}

TEST(MedianStopping, RebuildRestoresEveryEpochsMedian) {
  MedianStoppingScheduler original(3, 1, 3, Direction::Maximize);
  Driver d(original);
  three_references(d);
  const int t = d.start(3);
  d.report_all(t, {0.9, 0.1});
  MedianStoppingScheduler rebuilt(3, 1, 3, Direction::Maximize);
  rebuilt.rebuild(d.trials);
  for (int e = 1; e <= 3; ++e) {
    EXPECT_EQ(rebuilt.count_at(e), original.count_at(e)) << e;
    EXPECT_DOUBLE_EQ(rebuilt.median_at(e), original.median_at(e)) << e;
  }
}

TEST(MedianStopping, AnEpochReportedAgainCountsOnce) {
  MedianStoppingScheduler median(3, 1, 3, Direction::Maximize);
  Driver d(median);
  const int t = d.start(3);
  d.report_all(t, {0.5, 0.6});
  d.trials[t].curve.resize(1);  // restarted from its checkpoint after epoch 1
  d.report(t, 0.7);
  EXPECT_EQ(median.count_at(1), 1);
  EXPECT_EQ(median.count_at(2), 1);
  EXPECT_DOUBLE_EQ(median.median_at(2), 0.55) << "the first result at epoch 2 stands";
}

TEST(MedianOptions, Validated) {
  EXPECT_EQ(option_error("{name: median, grace_period: 3, min_trials: 5}"), "");
  EXPECT_EQ(option_error("{name: median, grace_period: 0}"),
            "study.yaml: scheduler.grace_period: 0 must be >= 1");
  EXPECT_EQ(option_error("{name: median, grace_period: 10}"),
            "study.yaml: scheduler.grace_period: 10 must be <= the study's budget.epochs (9)");
  EXPECT_EQ(option_error("{name: median, min_trials: 0}"),
            "study.yaml: scheduler.min_trials: 0 must be >= 1");
  EXPECT_EQ(option_error("{name: median, min_trials: many}"),
            "study.yaml: scheduler.min_trials: many must be an integer");
}

}  // namespace
}  // namespace rungs

namespace rungs {
namespace {

TEST(MedianWarmStart, AnEarlierStudysCurvesSetTheMedian) {
  std::vector<TrialRecord> earlier;
  for (int i = 0; i < 3; ++i) {
    TrialRecord t;
    t.id = -1 - i;
    t.status = TrialStatus::Completed;
    t.curve = {{1, 0.8, 0.0, 0.0, {}, false}, {2, 0.9, 0.0, 0.0, {}, false}};
    earlier.push_back(t);
  }
  MedianStoppingScheduler median(2, 1, 3, Direction::Maximize);
  EXPECT_TRUE(median.add_prior(earlier));
  EXPECT_EQ(median.count_at(1), 3);
  EXPECT_DOUBLE_EQ(median.median_at(2), 0.85);
  testing::Driver d(median);
  EXPECT_EQ(d.report(d.start(2), 0.5), Verdict::Stop) << "worse than the earlier study's median";
  median.rebuild(d.trials);
  EXPECT_EQ(median.count_at(1), 4);
}

}  // namespace
}  // namespace rungs
