// Parameter importance: the fANOVA decomposition of a tree, the forest, and a study whose
// metric depends on known parameters.
#include <gtest/gtest.h>

#include <random>

#include "report/importance.h"
#include "report/random_forest.h"
#include "synthetic_study.h"

namespace rungs::report {
namespace {

std::vector<int> all_rows(std::size_t n) {
  std::vector<int> rows(n);
  for (std::size_t i = 0; i < n; ++i) rows[i] = static_cast<int>(i);
  return rows;
}

TEST(Fanova, OneSplitExplainsAllTheVarianceOfItsFeature) {
  const std::vector<std::vector<double>> x = {{0.2, 0.5}, {0.8, 0.5}};
  const std::vector<double> y = {0.0, 1.0};
  const RegressionTree tree(x, y, all_rows(2), ForestOptions{});
  EXPECT_DOUBLE_EQ(tree.predict({0.1, 0.9}), 0.0);
  EXPECT_DOUBLE_EQ(tree.predict({0.9, 0.1}), 1.0);
  const auto effects = tree.main_effects(2);
  EXPECT_DOUBLE_EQ(effects[0], 1.0);
  EXPECT_DOUBLE_EQ(effects[1], 0.0);
}

TEST(Fanova, APureInteractionHasNoMainEffects) {
  // y = x0 XOR x1 on the quadrants: each feature alone explains nothing, which a split
  // count would miss.
  const std::vector<std::vector<double>> x = {{0.25, 0.25}, {0.25, 0.75}, {0.75, 0.25}, {0.75, 0.75}};
  const std::vector<double> y = {0.0, 1.0, 1.0, 0.0};
  const RegressionTree tree(x, y, all_rows(4), ForestOptions{});
  for (const auto& row : x) EXPECT_DOUBLE_EQ(tree.predict(row), y[&row - &x[0]]);
  const auto effects = tree.main_effects(2);
  EXPECT_NEAR(effects[0], 0.0, 1e-12);
  EXPECT_NEAR(effects[1], 0.0, 1e-12);
}

TEST(Fanova, ForestRanksFeaturesByTheVarianceTheyExplain) {
  // y = 2 x0 + x1: x0 explains four times the variance of x1; x2 is noise-free and unused.
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  for (int i = 0; i < 200; ++i) {
    x.push_back({unit(rng), unit(rng), unit(rng)});
    y.push_back(2 * x.back()[0] + x.back()[1]);
  }
  ForestOptions options;
  options.trees = 16;
  std::vector<double> sum(3, 0.0);
  for (const auto& tree : fit_forest(x, y, options)) {
    const auto effects = tree.main_effects(3);
    for (int f = 0; f < 3; ++f) sum[f] += effects[f] / options.trees;
  }
  EXPECT_NEAR(sum[0], 0.8, 0.08);
  EXPECT_NEAR(sum[1], 0.2, 0.06);
  EXPECT_LT(sum[2], 0.02);
}

StudyView synthetic_view(int trials) {
  testing::SyntheticOptions options;
  options.trials = trials;
  return make_study_view(testing::synthetic_study(options).stored());
}

TEST(Importance, FindsTheParameterTheMetricDependsOn) {
  const StudyView view = synthetic_view(60);
  const ImportanceResult result = parameter_importance(view);
  ASSERT_FALSE(result.params.empty()) << result.note;
  EXPECT_EQ(result.params[0].name, "lr");
  EXPECT_GT(result.params[0].importance, 0.5);
  double total = 0.0;
  for (const auto& p : result.params) {
    total += p.importance;
    if (p.name == "dropout" || p.name == "batch_size") {
      EXPECT_LT(p.importance, 0.1) << p.name;
    }
  }
  EXPECT_NEAR(total, 1.0, 1e-9);
  EXPECT_EQ(result.left_out, std::vector<std::string>{"momentum"});  // only in sgd trials
}

TEST(Importance, ComparesTrialsAtTheMostEpochsTenTrialsReached) {
  // ASHA stopped most trials after 1 epoch and a third of the rest after 3: comparing a
  // 1-epoch value with a 9-epoch one would measure the budget, not the parameters.
  const StudyView view = synthetic_view(30);
  int at_least[10] = {};
  for (const auto& t : view.stored.trials) {
    if (t.status == TrialStatus::Failed) continue;
    for (int e = 1; e <= t.epochs_run(); ++e) ++at_least[e];
  }
  ASSERT_LT(at_least[9], 10);
  ASSERT_GE(at_least[3], 10);
  const ImportanceResult result = parameter_importance(view);
  EXPECT_EQ(result.budget, 3);
  EXPECT_EQ(result.trials_used, at_least[3]);
}

TEST(Importance, UsesEveryTrialAtFullLengthWhenNoneWasStopped) {
  StudyView view = synthetic_view(30);
  int used = 0;
  for (auto& t : view.stored.trials) {
    while (!t.curve.empty() && t.curve.size() < 9) t.curve.push_back(t.curve.back());
    used += t.status != TrialStatus::Failed;
  }
  const ImportanceResult result = parameter_importance(view);
  EXPECT_EQ(result.budget, 9);
  EXPECT_EQ(result.trials_used, used);
}

TEST(Importance, IsTheSameEveryTime) {
  const StudyView view = synthetic_view(30);
  const ImportanceResult a = parameter_importance(view), b = parameter_importance(view);
  ASSERT_EQ(a.params.size(), b.params.size());
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    EXPECT_EQ(a.params[i].name, b.params[i].name);
    EXPECT_EQ(a.params[i].importance, b.params[i].importance);
  }
}

TEST(Importance, SaysWhyWhenThereAreTooFewTrials) {
  const ImportanceResult result = parameter_importance(synthetic_view(2));
  EXPECT_TRUE(result.params.empty());
  EXPECT_NE(result.note.find("needs at least 4 trials with a value"), std::string::npos) << result.note;
}

}  // namespace
}  // namespace rungs::report
