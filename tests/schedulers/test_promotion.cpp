#include "schedulers/promotion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace rungs {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(PromotionQuota, TopThirdAndAtLeastOneForTheStopRule) {
  EXPECT_EQ(promotion_quota(0, 3, true), 0);
  EXPECT_EQ(promotion_quota(1, 3, true), 1);
  EXPECT_EQ(promotion_quota(2, 3, true), 1);
  EXPECT_EQ(promotion_quota(5, 3, true), 1);
  EXPECT_EQ(promotion_quota(6, 3, true), 2);
  EXPECT_EQ(promotion_quota(2, 3, false), 0) << "the paper's rule: nobody before eta results";
  EXPECT_EQ(promotion_quota(9, 3, false), 3);
  EXPECT_EQ(promotion_quota(7, 2, false), 3);
}

TEST(IsPromotable, FirstArrivalsAtARung) {
  // Fewer results than eta: the first always goes on, the next ones only as the best so far.
  EXPECT_TRUE(is_promotable(0.1, {}, 3, Direction::Maximize));
  EXPECT_FALSE(is_promotable(0.2, {0.5}, 3, Direction::Maximize));
  EXPECT_TRUE(is_promotable(0.6, {0.5}, 3, Direction::Maximize));
  EXPECT_TRUE(is_promotable(0.5, {0.5}, 3, Direction::Maximize)) << "ties favour the trial";
  EXPECT_FALSE(is_promotable(0.5, {0.5, 0.6}, 3, Direction::Maximize));
}

TEST(IsPromotable, HandComputedCutoffs) {
  const std::vector<double> five{0.9, 0.8, 0.7, 0.6, 0.5};
  // n = 6: the top 2 go on.
  EXPECT_TRUE(is_promotable(0.85, five, 3, Direction::Maximize));   // 1 better
  EXPECT_TRUE(is_promotable(0.8, five, 3, Direction::Maximize));    // tie with the 2nd
  EXPECT_FALSE(is_promotable(0.75, five, 3, Direction::Maximize));  // 2 better
  // Minimizing, n = 3: only the best goes on.
  EXPECT_TRUE(is_promotable(0.1, {0.2, 0.3}, 3, Direction::Minimize));
  EXPECT_FALSE(is_promotable(0.25, {0.2, 0.3}, 3, Direction::Minimize));
  // eta = 2, n = 4: the top 2.
  EXPECT_TRUE(is_promotable(0.3, {0.1, 0.2, 0.4}, 2, Direction::Maximize));
  EXPECT_FALSE(is_promotable(0.2, {0.1, 0.3, 0.4}, 2, Direction::Maximize));
}

TEST(IsPromotable, NaNNeverGoesOnAndIsNotCounted) {
  EXPECT_FALSE(is_promotable(kNaN, {}, 3, Direction::Maximize));
  EXPECT_TRUE(is_promotable(0.6, {kNaN, kNaN}, 3, Direction::Maximize));
  EXPECT_FALSE(is_promotable(0.4, {kNaN, 0.5}, 3, Direction::Maximize));
}

TEST(IsPromotable, SameDecisionsAsOptunasSuccessiveHalvingPruner) {
  // Generated with optuna 3.1 (Debian's python3-optuna):
  // _is_trial_promotable_to_next_rung(v, recorded + [v], 3, direction) for each v in turn.
  const std::vector<double> values{0.4, 0.5, 0.2, 0.7, 0.8, 0.3, 0.2, 0.2, 0.1, 0.7, 0.9, 0.5,
                                   0.1, 0.4, 0.9, 0.9, 0.6, 0.5, 0.3, 0.2, 0.5, 0.4, 0.1, 0.5};
  const std::vector<int> maximize{1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1};
  const std::vector<int> minimize{1, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0};
  std::vector<double> recorded;
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(is_promotable(values[i], recorded, 3, Direction::Maximize), maximize[i] == 1) << i;
    EXPECT_EQ(is_promotable(values[i], recorded, 3, Direction::Minimize), minimize[i] == 1) << i;
    recorded.push_back(values[i]);
  }
}

class RungCutoffAgrees : public ::testing::TestWithParam<std::tuple<Direction, int>> {};

TEST_P(RungCutoffAgrees, WithTheRuleOnEveryPrefix) {
  const auto [direction, eta] = GetParam();
  std::mt19937 rng(static_cast<unsigned>(eta * 7 + (direction == Direction::Maximize)));
  std::uniform_int_distribution<int> tenth(0, 12);  // few distinct values: many ties
  RungCutoff stop_rule(eta, true), paper_rule(eta, false);
  std::vector<double> recorded;
  for (int i = 0; i < 2000; ++i) {
    const double v = tenth(rng) / 10.0;
    const bool expected = is_promotable(v, recorded, eta, direction);
    recorded.push_back(v);
    stop_rule.record(score_of(v, direction));
    paper_rule.record(score_of(v, direction));
    ASSERT_EQ(stop_rule.admits(score_of(v, direction)), expected) << "after " << i;
    // The paper's rule: rank (strictly better ones) < floor(n / eta).
    int better = 0;
    for (double x : recorded) better += is_better(x, v, direction);
    ASSERT_EQ(paper_rule.admits(score_of(v, direction)),
              better < static_cast<int>(recorded.size()) / eta) << "after " << i;
    ASSERT_EQ(paper_rule.quota(), static_cast<int>(recorded.size()) / eta);
  }
  EXPECT_EQ(stop_rule.count(), 2000);
}

INSTANTIATE_TEST_SUITE_P(Directions, RungCutoffAgrees,
                         ::testing::Combine(::testing::Values(Direction::Maximize, Direction::Minimize),
                                            ::testing::Values(2, 3, 4)));

}  // namespace
}  // namespace rungs
