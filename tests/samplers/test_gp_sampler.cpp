#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "sampler_test_util.h"
#include "samplers/gp_sampler.h"
#include "samplers/sobol_sampler.h"

namespace rungs {
namespace {

using testing::best_value;
using testing::make_trial;
using testing::run_study;
using testing::sampler_options;

using testing::parse_space;

// Four continuous dimensions, one of them on a log scale, and an ordered integer.
const StudyConfig& bowl() {
  static const StudyConfig c = parse_space(
      "  x: {type: float, low: -5.0, high: 5.0}\n"
      "  y: {type: float, low: -5.0, high: 5.0}\n"
      "  lr: {type: float, low: 1.0e-5, high: 1.0, log: true}\n"
      "  n: {type: int, low: 1, high: 20}\n");
  return c;
}

double quadratic(const Params& p) {
  const double x = std::get<double>(p.at("x")), y = std::get<double>(p.at("y"));
  const double lr = std::log10(std::get<double>(p.at("lr")));
  const double n = static_cast<double>(std::get<std::int64_t>(p.at("n")));
  return (x - 1.3) * (x - 1.3) + 2 * (y + 0.7) * (y + 0.7) + (lr + 3) * (lr + 3) +
         (n - 7) * (n - 7) / 10;
}

std::string error_of(std::map<std::string, ParamValue> options) {
  return testing::sampler_error("gp", std::move(options), bowl().space);
}

TEST(GpSampler, OptionsAreValidatedNamingTheValue) {
  EXPECT_EQ(error_of({{"n_startup_trials", std::int64_t{0}}}),
            "t.yaml: sampler.n_startup_trials: 0 must be in [1, 1000000000]");
  EXPECT_EQ(error_of({{"startup", std::string("grid")}}),
            "t.yaml: sampler.startup: grid must be sobol or random");
  EXPECT_EQ(error_of({{"n_candidates", std::int64_t{0}}}),
            "t.yaml: sampler.n_candidates: 0 must be in [1, 1000000]");
  EXPECT_EQ(error_of({{"n_local_search", std::int64_t{-1}}}),
            "t.yaml: sampler.n_local_search: -1 must be in [0, 1000]");
  EXPECT_EQ(error_of({{"max_observations", std::int64_t{1}}}),
            "t.yaml: sampler.max_observations: 1 must be in [2, 100000]");
  EXPECT_EQ(error_of({{"constant_liar", std::string("yes")}}),
            "t.yaml: sampler.constant_liar: yes must be true or false");
  EXPECT_EQ(error_of({{"n_ei_candidates", std::int64_t{5}}}),
            "t.yaml: sampler.n_ei_candidates: 5 is not an option of gp");
  EXPECT_EQ(error_of({{"n_startup_trials", std::int64_t{5}},
                      {"startup", std::string("random")},
                      {"n_candidates", std::int64_t{100}},
                      {"n_local_search", std::int64_t{0}},
                      {"max_observations", std::int64_t{50}},
                      {"constant_liar", false}}),
            "no error");
}

TEST(GpSampler, StartsExactlyLikeSobol) {
  auto gp = make_sampler(sampler_options("gp"), bowl().space, Direction::Minimize, 9);
  SobolSampler sobol(bowl().space, 9);
  std::vector<TrialRecord> trials;
  run_study(*gp, quadratic, 10, trials);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(trials[static_cast<std::size_t>(i)].params, *sobol.suggest(i, {}));
  EXPECT_NE(*gp->suggest(10, trials), *sobol.suggest(10, {}));  // the 11th is the model's
}

// Best value after `n` trials, one study per seed.
std::vector<double> bests(const std::string& sampler, Direction direction, int n) {
  std::vector<double> out;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    auto s = make_sampler(sampler_options(sampler), bowl().space, direction, seed);
    std::vector<TrialRecord> trials;
    const double sign = direction == Direction::Minimize ? 1.0 : -1.0;
    run_study(*s, [&](const Params& p) { return sign * quadratic(p); }, n, trials);
    out.push_back(sign * (direction == Direction::Minimize ? best_value(trials) : [&] {
      double best = -1e300;
      for (const auto& t : trials) best = std::max(best, t.curve.back().value);
      return best;
    }()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(GpSampler, BeatsRandomSearchOnAQuadraticWithinThirtyTrials) {
  // 5 seeds, 30 trials: the median best (distance to the minimum 0) of gp must be a small
  // fraction of random's, minimising and maximising (the same bowl upside down).
  const auto random = bests("random", Direction::Minimize, 30);
  for (const auto direction : {Direction::Minimize, Direction::Maximize}) {
    const auto gp = bests("gp", direction, 30);
    EXPECT_LT(gp[2], 0.01 * random[2]) << "gp median " << gp[2] << ", random median " << random[2];
    EXPECT_LT(gp[4], random[2]) << "gp's worst seed is worse than random's median";
  }
}

TEST(GpSampler, WorkersAskingTogetherAreSpreadByTheConstantLiar) {
  // An ordered space of 5 x 5 values: without the liar, workers asking at once with nothing
  // new to learn get the same point; with it, distinct ones.
  const StudyConfig c = parse_space("  a: {type: int, low: 0, high: 4}\n  b: {type: int, low: 0, high: 4}\n");
  auto value = [](const Params& p) {
    const auto a = static_cast<double>(std::get<std::int64_t>(p.at("a")));
    const auto b = static_cast<double>(std::get<std::int64_t>(p.at("b")));
    return (a - 3) * (a - 3) + (b - 1) * (b - 1);
  };
  for (const bool liar : {true, false}) {
    auto gp = make_sampler(sampler_options("gp", {{"constant_liar", liar}}), c.space,
                           Direction::Minimize, 3);
    std::vector<TrialRecord> trials;
    run_study(*gp, value, 12, trials);
    std::set<Params> seen;
    for (int k = 0; k < 4; ++k) {
      const int id = static_cast<int>(trials.size());
      auto params = gp->suggest(id, trials);
      ASSERT_TRUE(params.has_value());
      seen.insert(*params);
      trials.push_back(make_trial(id, *params, TrialStatus::Running));
    }
    if (liar) {
      EXPECT_EQ(seen.size(), 4u);
    } else {
      EXPECT_LT(seen.size(), 4u);
    }
  }
}

TEST(GpSampler, LearnsFromStoppedAndPausedTrialsAndIgnoresFailedOnes) {
  // 8 completed trials and a paused one with a result are 9 observations; failed trials
  // must not count (the model needs 10: still Sobol at trials 9 to 11).
  auto gp = make_sampler(sampler_options("gp"), bowl().space, Direction::Minimize, 4);
  SobolSampler sobol(bowl().space, 4);
  std::vector<TrialRecord> trials;
  for (int i = 0; i < 9; ++i) {
    auto p = *gp->suggest(i, trials);
    trials.push_back(make_trial(i, p, i == 8 ? TrialStatus::Paused : TrialStatus::Completed,
                                {quadratic(p)}));
  }
  for (int i = 9; i < 12; ++i) {
    auto p = *gp->suggest(i, trials);
    EXPECT_EQ(p, *sobol.suggest(i, {})) << "trial " << i;
    trials.push_back(make_trial(i, p, TrialStatus::Failed, {}));
  }
  // A stopped trial with a result is the tenth observation: the model takes over.
  auto p = *gp->suggest(12, trials);
  trials.push_back(make_trial(12, p, TrialStatus::Stopped, {quadratic(p) + 5, quadratic(p)}));
  EXPECT_NE(*gp->suggest(13, trials), *sobol.suggest(13, {}));
}

}  // namespace
}  // namespace rungs
