// Which trials TPE learns from and how it ranks them (Optuna 3.1's _get_observation_pairs
// and _split_observation_pairs).
#include <gtest/gtest.h>

#include <cmath>

#include "sampler_test_util.h"
#include "samplers/tpe_observations.h"

namespace rungs {
namespace {

using testing::make_trial;
constexpr double kInf = INFINITY;

TEST(TpeObservations, ScoresByStatus) {
  const auto score = [](TrialStatus s, std::vector<double> v, Direction d = Direction::Minimize,
                        bool liar = true) {
    return tpe_score(make_trial(0, {}, s, std::move(v)), d, liar);
  };
  EXPECT_EQ(*score(TrialStatus::Completed, {0.9, 0.5}), (TpeScore{-kInf, 0.5}));  // its last value
  EXPECT_EQ(*score(TrialStatus::Completed, {0.5}, Direction::Maximize), (TpeScore{-kInf, -0.5}));
  EXPECT_EQ(*score(TrialStatus::Stopped, {0.9, 0.7, 0.6}),
            (TpeScore{-3, 0.6}));  // pruned at epoch 3
  EXPECT_EQ(*score(TrialStatus::Paused, {0.9, 0.7}), (TpeScore{-2, 0.7}));
  EXPECT_EQ(*score(TrialStatus::Running, {0.8}), (TpeScore{-1, 0.8}));
  EXPECT_EQ(*score(TrialStatus::Stopped, {}), (TpeScore{1, 0}));
  EXPECT_EQ(*score(TrialStatus::Stopped, {NAN}), (TpeScore{-1, kInf}));
  EXPECT_TRUE(score(TrialStatus::Running, {})->is_liar());
  EXPECT_FALSE(score(TrialStatus::Running, {}, Direction::Minimize, false).has_value());
  EXPECT_FALSE(score(TrialStatus::Failed, {0.1}).has_value());
}

TEST(TpeObservations, BelowGroupRanksCompletedFirstThenStoppedByTheirLastStep) {
  // Same case as Optuna's _split_observation_pairs(scores, 4): completed trials 0, 2, 6 come
  // first; of the stopped ones, trial 4 (epoch 5, 0.2) beats trial 1 (epoch 3, 0.1) although
  // its value is worse, because it got further. The liar (7) is always above.
  const std::vector<TpeScore> scores = {{-kInf, 0.5}, {-3, 0.1}, {-kInf, 0.9}, {-5, 0.7},
                                        {-5, 0.2},    {1, 0.0},  {-kInf, 0.3}, {kInf, kInf}};
  EXPECT_EQ(split_below(scores, 4), (std::vector<std::size_t>{0, 2, 4, 6}));
  EXPECT_EQ(split_below(scores, 1), (std::vector<std::size_t>{6}));
  // Ties go to the older trial.
  EXPECT_EQ(split_below({{-kInf, 1.0}, {-kInf, 1.0}, {-kInf, 1.0}}, 2),
            (std::vector<std::size_t>{0, 1}));
}

}  // namespace
}  // namespace rungs
