// The below/above split of TPE for conditional parameters (samplers/tpe_history.h): global
// as Optuna 3.1 does it, or per parameter over the trials where it is active.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "sampler_test_util.h"
#include "samplers/tpe_history.h"
#include "samplers/tpe_sampler.h"

namespace rungs {
namespace {

using testing::make_trial;
using testing::run_study;
using testing::sampler_options;

const StudyConfig& space() {
  static const StudyConfig c = parse_study_config(
      "name: t\nobjective: {model: mlp}\nsearch_space:\n"
      "  opt: {type: categorical, choices: [sgd, adam]}\n"
      "  momentum: {type: float, low: 0.0, high: 1.0, when: {opt: [sgd]}}\n"
      "  lr: {type: float, low: 0.0, high: 1.0}\n"
      "budget: {max_trials: 1, epochs: 1}\n",
      "t.yaml");
  return c;
}
constexpr std::size_t kMomentum = 1, kLr = 2;

// Trial i: sgd (momentum i / 100) when i % 3 == 0, else adam; every adam trial beats every
// sgd trial, and among sgd trials the later the better.
TrialRecord trial(int i, TrialStatus status = TrialStatus::Completed) {
  Params p{{"opt", std::string(i % 3 == 0 ? "sgd" : "adam")}, {"lr", 0.5}};
  if (i % 3 == 0) p["momentum"] = i / 100.0;
  const double value = i % 3 == 0 ? 1000.0 - i : i;
  if (status == TrialStatus::Running) return make_trial(i, p, status);
  return make_trial(i, p, status, {value});
}

TpeHistory history(bool per_parameter) {
  TpeGroupSettings group;
  group.per_parameter = per_parameter;
  return TpeHistory(space().space, Direction::Minimize, ParzenSettings{}, group);
}

std::vector<int> members_of(TpeHistory& h, std::size_t param) {
  std::vector<int> out;
  for (const auto& [t, v] : h.above(param).members()) out.push_back(t);
  return out;
}

TEST(TpeHistory, GlobalSplitLeavesAConditionalChildNothingToLearnFrom) {
  TpeHistory h = history(false);
  std::vector<TrialRecord> trials;
  for (int i = 0; i < 30; ++i) trials.push_back(trial(i));
  h.sync(trials);
  // 30 observations -> 3 below, all adam: momentum is inactive in each of them.
  EXPECT_EQ(h.below(kMomentum), (std::vector<int>{1, 2, 4}));
  for (const int t : h.below(kMomentum)) EXPECT_TRUE(std::isnan(h.value(t, kMomentum)));
  EXPECT_EQ(h.above(kMomentum).size(), 10u);  // every sgd trial
}

TEST(TpeHistory, PerParameterSplitRanksAChildAmongTheTrialsWhereItIsActive) {
  TpeHistory h = history(true);
  std::vector<TrialRecord> trials;
  for (int i = 0; i < 30; ++i) trials.push_back(trial(i));
  h.sync(trials);
  // momentum is active in 10 trials: its below group is the best ceil(0.1 * 10) = 1 of them.
  EXPECT_EQ(h.below(kMomentum), (std::vector<int>{27}));
  EXPECT_EQ(h.above(kMomentum).size(), 9u);
  EXPECT_FALSE(h.above(kMomentum).contains(27));
  // Unconditional parameters keep the global split.
  EXPECT_EQ(h.below(0), (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(h.below(kLr), (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(h.above(kLr).size(), 27u);

  // 30 more trials, the running ones are liars (above, not counted): 20 sgd observations
  // -> the best 2, now 57 and 54.
  for (int i = 30; i < 60; ++i)
    trials.push_back(trial(i, i < 57 ? TrialStatus::Completed : TrialStatus::Running));
  trials.push_back(trial(60, TrialStatus::Running));
  h.sync(trials);
  EXPECT_EQ(h.below(kMomentum), (std::vector<int>{51, 54}));
  EXPECT_EQ(h.above(kMomentum).size(), 19u - 2u + 2u);  // 19 scored + liars 57, 60, minus 2 below
  trials[57] = trial(57);
  trials[60] = trial(60);
  h.sync(trials);
  // 21 observations -> 3 below.
  EXPECT_EQ(h.below(kMomentum), (std::vector<int>{54, 57, 60}));
  EXPECT_TRUE(h.above(kMomentum).contains(51));
}

TEST(TpeHistory, PerParameterSplitIsTheSameIncrementallyAsFromScratch) {
  // Trials arrive running, report, stop, fail or complete in a random order; after each
  // sync the cached split must be what a fresh history computes from the same records.
  TpeHistory h = history(true);
  std::vector<TrialRecord> trials;
  std::mt19937_64 rng(11);
  for (int step = 0; step < 150; ++step) {
    trials.push_back(trial(step, TrialStatus::Running));
    for (auto& t : trials) {
      if (t.status != TrialStatus::Running || rng() % 2) continue;
      const int what = static_cast<int>(rng() % 6);
      const double v = static_cast<double>(rng() % 1000);
      t.curve = make_trial(0, {}, TrialStatus::Completed, {v}).curve;
      t.status = what == 0   ? TrialStatus::Failed
                 : what == 1 ? TrialStatus::Stopped
                 : what == 2 ? TrialStatus::Running
                             : TrialStatus::Completed;
    }
    h.sync(trials);
    TpeHistory fresh = history(true);
    fresh.sync(trials);
    for (std::size_t p = 0; p < 3; ++p) {
      ASSERT_EQ(h.below(p), fresh.below(p)) << "step " << step << " param " << p;
      ASSERT_EQ(members_of(h, p), members_of(fresh, p)) << "step " << step << " param " << p;
    }
  }
}

// adam is the better branch; within sgd, momentum near 0.9 is best.
double branches(const Params& p) {
  const double lr = std::get<double>(p.at("lr"));
  if (p.at("opt") == ParamValue(std::string("adam"))) return (lr - 0.3) * (lr - 0.3);
  return 0.5 + std::abs(std::get<double>(p.at("momentum")) - 0.9) + (lr - 0.3) * (lr - 0.3);
}

// The median distance of momentum from its best value over the suggestions after 40 trials.
double momentum_error(const std::string& split) {
  std::vector<double> errors;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    auto sampler = make_sampler(sampler_options("tpe", {{"split", split}}), space().space,
                                Direction::Minimize, seed);
    std::vector<TrialRecord> trials;
    run_study(*sampler, branches, 120, trials);
    for (std::size_t i = 40; i < trials.size(); ++i) {
      const auto it = trials[i].params.find("momentum");
      if (it != trials[i].params.end())
        errors.push_back(std::abs(std::get<double>(it->second) - 0.9));
    }
  }
  std::nth_element(errors.begin(), errors.begin() + static_cast<long>(errors.size() / 2),
                   errors.end());
  return errors[errors.size() / 2];
}

TEST(TpeSampler, PerParameterSplitLearnsAChildOutsideTheBestBranch) {
  // Globally the best trials are all adam, so under the global split momentum learns from
  // none of them; per parameter, from the best sgd trials.
  const double global = momentum_error("global"), per_parameter = momentum_error("per_parameter");
  EXPECT_LT(per_parameter, 0.5 * global)
      << "median |momentum - 0.9|: per_parameter " << per_parameter << ", global " << global;
}

}  // namespace
}  // namespace rungs
