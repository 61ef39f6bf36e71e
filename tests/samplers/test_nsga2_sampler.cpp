// NSGA-II (samplers/nsga2_sampler.h) on a standard multi-objective test problem: it finds a
// better front than random search with the same trials, prefers feasible trials, and its
// options are checked.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "sampler_test_util.h"
#include "samplers/nsga2_sampler.h"
#include "samplers/random_sampler.h"

namespace rungs {
namespace {

using testing::parse_space;
using testing::sampler_options;

const MultiObjective kZdt = {{{"f1", Direction::Minimize}, {"f2", Direction::Minimize}}, {}};

/// ZDT1 (Zitzler, Deb, Thiele 2000) over x0..x4 in [0, 1]: the front is f2 = 1 - sqrt(f1)
/// at x1..x4 = 0.
TrialRecord zdt1_trial(int id, Params params) {
  double sum = 0;
  for (int i = 1; i < 5; ++i) sum += std::get<double>(params.at("x" + std::to_string(i)));
  const double f1 = std::get<double>(params.at("x0"));
  const double g = 1 + 9 * sum / 4;
  TrialRecord t = testing::make_trial(id, std::move(params), TrialStatus::Completed, {f1});
  t.curve.back().set_metric("f1", f1);
  t.curve.back().set_metric("f2", g * (1 - std::sqrt(f1 / g)));
  return t;
}

const SearchSpace& zdt_space() {
  static const StudyConfig c = parse_space(
      "  x0: {type: float, low: 0.0, high: 1.0}\n  x1: {type: float, low: 0.0, high: 1.0}\n"
      "  x2: {type: float, low: 0.0, high: 1.0}\n  x3: {type: float, low: 0.0, high: 1.0}\n"
      "  x4: {type: float, low: 0.0, high: 1.0}\n");
  return c.space;
}

double front_hypervolume(Sampler& sampler, int n) {
  std::vector<TrialRecord> trials;
  for (int id = 0; id < n; ++id) trials.push_back(zdt1_trial(id, *sampler.suggest(id, trials)));
  std::vector<Point> points;
  for (const auto& t : trials) points.push_back(*objective_point(t, kZdt.objectives));
  return hypervolume(points, {1.1, 1.1});
}

TEST(NsgaIISampler, FindsABetterFrontThanRandomSearchWithTheSameTrials) {
  // 300 trials, generations of 30; the best possible hypervolume is about 0.87.
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    NsgaIIOptions options;
    options.population = 30;
    NsgaIISampler nsga2(zdt_space(), kZdt, seed, options);
    RandomSampler random(zdt_space(), seed);
    const double hv_nsga2 = front_hypervolume(nsga2, 300);
    const double hv_random = front_hypervolume(random, 300);
    std::printf("seed %d: hypervolume nsga2 %.3f, random %.3f\n", static_cast<int>(seed), hv_nsga2, hv_random);
    EXPECT_GT(hv_nsga2, hv_random + 0.1) << "seed " << seed << ": " << hv_nsga2 << " vs " << hv_random;
  }
}

TEST(NsgaIISampler, TheFirstGenerationIsRandomSearch) {
  NsgaIIOptions options;
  options.population = 10;
  NsgaIISampler nsga2(zdt_space(), kZdt, 4, options);
  RandomSampler random(zdt_space(), 4);
  std::vector<TrialRecord> trials;
  for (int id = 0; id < 10; ++id) {
    const Params p = *nsga2.suggest(id, trials);
    EXPECT_EQ(p, *random.suggest(id, trials)) << id;
    trials.push_back(zdt1_trial(id, p));
  }
}

TEST(NsgaIISampler, ParentsAreFeasibleTrialsFirst) {
  // f1 >= 0.6 is required: after the first generation, children come from feasible parents,
  // so most of them are feasible, where random search makes 40% feasible.
  MultiObjective constrained = kZdt;
  constrained.constraints = {{"f1", std::nullopt, 0.6}};
  NsgaIIOptions options;
  options.population = 20;
  NsgaIISampler nsga2(zdt_space(), constrained, 9, options);
  std::vector<TrialRecord> trials;
  int feasible_later = 0;
  for (int id = 0; id < 200; ++id) {
    trials.push_back(zdt1_trial(id, *nsga2.suggest(id, trials)));
    if (id >= 100) feasible_later += constraint_violation(trials.back(), constrained.constraints) == 0;
  }
  EXPECT_GT(feasible_later, 80) << "of the last 100 trials";
}

std::string nsga2_error(std::map<std::string, ParamValue> options, const MultiObjective& multi = kZdt) {
  try {
    make_sampler(sampler_options("nsga2", std::move(options)), zdt_space(), Direction::Minimize, 1, multi);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(NsgaIISampler, OptionsAreChecked) {
  EXPECT_EQ(nsga2_error({}), "no error");
  EXPECT_EQ(nsga2_error({}, {}), "t.yaml: sampler.name: nsga2 needs the study's objectives");
  EXPECT_EQ(nsga2_error({{"population", std::int64_t{1}}}),
            "t.yaml: sampler.population: 1 must be >= 2");
  EXPECT_EQ(nsga2_error({{"crossover_prob", 1.5}}),
            "t.yaml: sampler.crossover_prob: 1.5 must be in [0, 1]");
  EXPECT_EQ(nsga2_error({{"mutation", 0.1}}).rfind("t.yaml: sampler.mutation: ", 0), 0u)
      << "an unknown option is named";
}

}  // namespace
}  // namespace rungs
