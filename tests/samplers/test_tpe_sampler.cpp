#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "sampler_test_util.h"
#include "samplers/tpe_history.h"
#include "samplers/tpe_sampler.h"
#include "study/errors.h"

namespace rungs {
namespace {

using testing::best_value;
using testing::make_trial;
using testing::run_study;
using testing::sampler_options;

StudyConfig parse(const std::string& space) { return testing::parse_space(space); }

const StudyConfig& plane() {
  static const StudyConfig c =
      parse("  x: {type: float, low: -5.0, high: 5.0}\n  y: {type: float, low: -5.0, high: 5.0}\n");
  return c;
}

double quadratic(const Params& p) {
  const double x = std::get<double>(p.at("x")), y = std::get<double>(p.at("y"));
  return (x - 1.3) * (x - 1.3) + 2 * (y + 0.7) * (y + 0.7);
}

std::string error_of(std::map<std::string, ParamValue> options) {
  return testing::sampler_error("tpe", std::move(options), plane().space);
}

TEST(TpeSampler, OptionsAreValidatedNamingTheValue) {
  EXPECT_EQ(error_of({{"gamma", std::int64_t{-1}}}), "t.yaml: sampler.gamma: -1 must be in (0, 1]");
  EXPECT_EQ(error_of({{"gamma", 1.5}}), "t.yaml: sampler.gamma: 1.5 must be in (0, 1]");
  EXPECT_EQ(error_of({{"n_startup_trials", std::int64_t{-3}}}),
            "t.yaml: sampler.n_startup_trials: -3 must be >= 0");
  EXPECT_EQ(error_of({{"n_ei_candidates", std::int64_t{0}}}),
            "t.yaml: sampler.n_ei_candidates: 0 must be in [1, 1000000]");
  EXPECT_EQ(error_of({{"prior_weight", 0.0}}), "t.yaml: sampler.prior_weight: 0 must be > 0");
  EXPECT_EQ(error_of({{"multivariate", std::string("yes")}}),
            "t.yaml: sampler.multivariate: yes must be true or false");
  EXPECT_EQ(error_of({{"n_startup", std::int64_t{5}}}),
            "t.yaml: sampler.n_startup: 5 is not an option of tpe");
  EXPECT_EQ(error_of({{"n_startup_trials", std::int64_t{5}},
                      {"multivariate", true},
                      {"gamma", 0.2},
                      {"gamma_max", std::int64_t{10}},
                      {"constant_liar", false},
                      {"consider_endpoints", true}}),
            "no error");
}

TEST(TpeSampler, StartsExactlyLikeRandomSearch) {
  auto tpe = make_sampler(sampler_options("tpe"), plane().space, Direction::Minimize, 9);
  auto random = make_sampler(sampler_options("random"), plane().space, Direction::Minimize, 9);
  std::vector<TrialRecord> a, b;
  run_study(*tpe, quadratic, 10, a);
  run_study(*random, quadratic, 10, b);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(a[static_cast<std::size_t>(i)].params, b[static_cast<std::size_t>(i)].params);
  EXPECT_NE(*tpe->suggest(10, a), *random->suggest(10, b));  // the 11th is TPE's own
}

TEST(TpeSampler, FindsBetterValuesThanRandomSearchOnAQuadratic) {
  // 15 fixed seeds, 60 trials each: the median best of TPE must beat random's clearly.
  std::vector<double> tpe_best, random_best;
  for (std::uint64_t seed = 1; seed <= 15; ++seed) {
    for (const char* name : {"tpe", "random"}) {
      auto sampler = make_sampler(sampler_options(name), plane().space, Direction::Minimize, seed);
      std::vector<TrialRecord> trials;
      run_study(*sampler, quadratic, 60, trials);
      (name[0] == 't' ? tpe_best : random_best).push_back(best_value(trials));
    }
  }
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  EXPECT_LT(median(tpe_best), 0.5 * median(random_best))
      << "TPE median " << median(tpe_best) << ", random median " << median(random_best);
}

TEST(TpeSampler, IncrementalCacheGivesWhatAFreshSamplerGives) {
  // One sampler follows a study where trials run concurrently, report epochs, get stopped,
  // paused, resumed or fail; at each step a new sampler that sees only the final records
  // must suggest the same (the cache is a function of the trials; resuming needs no state).
  for (const bool liar : {true, false}) {
    const auto options = sampler_options("tpe", {{"constant_liar", liar}});
    auto sampler = make_sampler(options, plane().space, Direction::Minimize, 3);
    std::vector<TrialRecord> trials;
    std::mt19937_64 rng(5);
    for (int step = 0; step < 320; ++step) {
      const int id = static_cast<int>(trials.size());
      const auto params = sampler->suggest(id, trials);
      ASSERT_TRUE(params.has_value());
      if (step % 40 == 7) {
        auto fresh = make_sampler(options, plane().space, Direction::Minimize, 3);
        EXPECT_EQ(*fresh->suggest(id, trials), *params) << "step " << step << " liar " << liar;
      }
      trials.push_back(make_trial(id, *params, TrialStatus::Running));
      // Move a few running trials along.
      for (auto& t : trials) {
        if (t.status != TrialStatus::Running && t.status != TrialStatus::Paused) continue;
        if (rng() % 3 != 0) continue;
        const double v = quadratic(t.params) * (1.0 + 1.0 / (1 + t.epochs_run()));
        const int what = static_cast<int>(rng() % 10);
        if (t.status == TrialStatus::Paused) {
          if (what < 5) t.status = TrialStatus::Running;
          continue;
        }
        t.curve.push_back(make_trial(0, {}, TrialStatus::Running, {v}).curve[0]);
        t.curve.back().epoch = t.epochs_run();
        if (what == 0)
          t.status = TrialStatus::Failed;
        else if (what == 1)
          t.status = TrialStatus::Stopped;
        else if (what == 2)
          t.status = TrialStatus::Paused;
        else if (t.epochs_run() >= 3)
          t.status = TrialStatus::Completed;
      }
    }
  }
}

TEST(TpeHistory, StoppedTrialsRankByTheirLastStepAndLiarsStayAbove) {
  const StudyConfig c = parse("  x: {type: float, low: 0.0, high: 1.0}\n");
  TpeHistory history(c.space, Direction::Maximize, ParzenSettings{},
                     TpeGroupSettings{0.25, 25, true});
  auto x = [](double v) { return Params{{"x", v}}; };
  std::vector<TrialRecord> trials = {
      make_trial(0, x(0.0), TrialStatus::Completed, {0.5, 0.6, 0.7}),
      make_trial(1, x(0.1), TrialStatus::Stopped, {0.9}),       // best value, but only epoch 1
      make_trial(2, x(0.2), TrialStatus::Stopped, {0.3, 0.4}),  // epoch 2
      make_trial(3, x(0.3), TrialStatus::Completed, {0.2}),
      make_trial(4, x(0.4), TrialStatus::Failed, {0.99}),
      make_trial(5, x(0.5), TrialStatus::Running),  // the liar
      make_trial(6, x(0.6), TrialStatus::Stopped, {0.8}),
      make_trial(7, x(0.7), TrialStatus::Stopped, {0.1}),
  };
  history.sync(trials);
  // 6 observations (not the failed one, not the liar): gamma 0.25 -> 2 below: the two
  // completed trials, although stopped ones reported better values.
  EXPECT_EQ(history.n_observed(), 6u);
  EXPECT_EQ(history.below(0), (std::vector<int>{0, 3}));
  // Above: 1, 2, 5 (liar), 6, 7.
  EXPECT_EQ(history.above(0).size(), 5u);
  // The liar completes and two more trials stop: 9 observations, 3 below.
  trials.push_back(make_trial(8, x(0.8), TrialStatus::Stopped, {0.1, 0.1}));
  trials.push_back(make_trial(9, x(0.9), TrialStatus::Stopped, {0.95}));
  trials[5].status = TrialStatus::Completed;
  trials[5].curve = make_trial(5, {}, TrialStatus::Completed, {0.65}).curve;
  history.sync(trials);
  EXPECT_EQ(history.n_observed(), 9u);
  EXPECT_EQ(history.below(0), (std::vector<int>{0, 3, 5}));
  trials.push_back(make_trial(10, x(0.1), TrialStatus::Stopped, {0.1, 0.1}));
  trials.push_back(make_trial(11, x(0.1), TrialStatus::Stopped, {0.1, 0.1}));
  trials.push_back(make_trial(12, x(0.1), TrialStatus::Stopped, {0.1, 0.1}));
  history.sync(trials);  // 12 observations -> 3 below still: completed first
  EXPECT_EQ(history.below(0), (std::vector<int>{0, 3, 5}));
  trials.push_back(make_trial(13, x(0.1), TrialStatus::Stopped, {0.1, 0.5}));
  // 13 -> 4 below: the fourth is the best stopped trial at the furthest epoch (13: 0.5 at
  // epoch 2), not the best value (9: 0.95 at epoch 1).
  history.sync(trials);
  EXPECT_EQ(history.below(0), (std::vector<int>{0, 3, 5, 13}));
}

TEST(TpeHistory, InactiveParametersAreNotObservations) {
  const StudyConfig c = parse(
      "  opt: {type: categorical, choices: [sgd, adam]}\n"
      "  momentum: {type: float, low: 0.0, high: 1.0, when: {opt: [sgd]}}\n");
  TpeHistory history(c.space, Direction::Minimize, ParzenSettings{}, TpeGroupSettings{});
  std::vector<TrialRecord> trials;
  for (int i = 0; i < 30; ++i) {
    Params p{{"opt", std::string(i % 3 == 0 ? "sgd" : "adam")}};
    if (i % 3 == 0) p["momentum"] = 0.5;
    trials.push_back(make_trial(i, p, TrialStatus::Completed, {static_cast<double>(i)}));
  }
  history.sync(trials);
  EXPECT_TRUE(std::isnan(history.value(1, 1)));
  EXPECT_EQ(history.value(3, 1), 0.5);
  // 30 observations, 3 below (trials 0, 1, 2); momentum is active in 10 trials, 1 of them below.
  EXPECT_EQ(history.below(0), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(history.above(1).size(), 9u);
  EXPECT_EQ(history.above(0).size(), 27u);
}

TEST(TpeSampler, MultivariateLearnsTheJointShape) {
  // A narrow diagonal valley: multivariate TPE must reach it better than random search.
  const auto c =
      parse("  x: {type: float, low: 0.0, high: 1.0}\n  y: {type: float, low: 0.0, high: 1.0}\n");
  auto valley = [](const Params& p) {
    const double x = std::get<double>(p.at("x")), y = std::get<double>(p.at("y"));
    return 50 * (x - y) * (x - y) + (x + y - 1.2) * (x + y - 1.2);
  };
  double tpe = 0, random = 0;
  for (std::uint64_t seed = 1; seed <= 7; ++seed) {
    auto mv = make_sampler(sampler_options("tpe", {{"multivariate", true}}), c.space,
                           Direction::Minimize, seed);
    auto rs = make_sampler(sampler_options("random"), c.space, Direction::Minimize, seed);
    std::vector<TrialRecord> a, b;
    run_study(*mv, valley, 60, a);
    run_study(*rs, valley, 60, b);
    tpe += std::log(best_value(a));
    random += std::log(best_value(b));
  }
  EXPECT_LT(tpe, random);
}

TEST(TpeSampler, AStudyWithoutSamplerGetsMultivariateTpe) {
  // The default (docs/samplers.md, "The default sampler") is what `{name: tpe, multivariate:
  // true}` suggests: random search for the first 10 trials, then TPE's own.
  const StudyConfig omitted = parse("  x: {type: float, low: -5.0, high: 5.0}\n"
                                    "  y: {type: float, low: -5.0, high: 5.0}\n");
  auto by_default = make_sampler(omitted.sampler, omitted.space, Direction::Minimize, 4);
  auto tpe = make_sampler(sampler_options("tpe", {{"multivariate", true}}), plane().space,
                          Direction::Minimize, 4);
  auto random = make_sampler(sampler_options("random"), plane().space, Direction::Minimize, 4);
  std::vector<TrialRecord> a, b, c;
  run_study(*by_default, quadratic, 30, a);
  run_study(*tpe, quadratic, 30, b);
  run_study(*random, quadratic, 30, c);
  for (std::size_t i = 0; i < 30; ++i) EXPECT_EQ(a[i].params, b[i].params) << "trial " << i;
  EXPECT_NE(a[20].params, c[20].params);
}

}  // namespace
}  // namespace rungs
