#include <gtest/gtest.h>

#include <set>

#include "sampler_test_util.h"
#include "samplers/grid_sampler.h"
#include "study/errors.h"

namespace rungs {
namespace {

using testing::sampler_options;

StudyConfig parse(const std::string& space) {
  return parse_study_config("name: g\nobjective: {model: mlp}\nsearch_space:\n" + space +
                                "budget: {max_trials: 1, epochs: 1}\n",
                            "t.yaml");
}

std::vector<Params> drain(Sampler& sampler) {
  std::vector<Params> out;
  std::vector<TrialRecord> trials;
  for (int id = 0;; ++id) {
    auto p = sampler.suggest(id, trials);
    if (!p) return out;
    out.push_back(*p);
    if (out.size() > 100000) return out;
  }
}

TEST(GridSampler, EveryCombinationOnceThenExhausted) {
  const auto c = parse(R"(
  lr: {type: float, low: 1.0e-4, high: 1.0, log: true, grid: [1.0e-3, 1.0e-2, 1.0e-1]}
  width: {type: int, low: 16, high: 64, step: 16}
  optimizer: {type: categorical, choices: [sgd, adam]}
)");
  auto sampler = make_sampler(sampler_options("grid"), c.space, Direction::Maximize, 1);
  const auto all = drain(*sampler);
  ASSERT_EQ(all.size(), 3u * 4u * 2u);  // width: the 4 values 16, 32, 48, 64
  EXPECT_EQ(std::set<Params>(all.begin(), all.end()).size(), all.size());
  for (const auto& p : all) EXPECT_TRUE(c.space.is_valid(p)) << to_string(p);
  EXPECT_FALSE(sampler->suggest(100, {}).has_value());
}

TEST(GridSampler, OrderDependsOnTheSeedButNotTheCombinations) {
  const auto c =
      parse("  a: {type: int, low: 0, high: 9}\n  b: {type: categorical, choices: [x, y, z]}\n");
  GridSampler one(c.space, 1, "t.yaml: sampler"), two(c.space, 2, "t.yaml: sampler");
  auto a = drain(one), b = drain(two);
  EXPECT_NE(a, b);
  EXPECT_EQ(std::set<Params>(a.begin(), a.end()), std::set<Params>(b.begin(), b.end()));
}

TEST(GridSampler, ConditionalParametersMultiplyOnlyTheirBranch) {
  const auto c = parse(R"(
  optimizer: {type: categorical, choices: [sgd, adam]}
  momentum: {type: float, low: 0.0, high: 0.99, grid: [0.0, 0.5, 0.9], when: {optimizer: [sgd]}}
)");
  GridSampler sampler(c.space, 1, "t.yaml: sampler");
  const auto all = drain(sampler);
  ASSERT_EQ(all.size(), 4u);  // sgd x 3 momenta, adam once (not 3 copies without momentum)
  int adam = 0;
  for (const auto& p : all) {
    EXPECT_TRUE(c.space.is_valid(p)) << to_string(p);
    adam += p.at("optimizer") == ParamValue(std::string("adam"));
  }
  EXPECT_EQ(adam, 1);
}

TEST(GridSampler, AParameterWithoutGridValuesIsAConfigErrorNamingIt) {
  const auto c = parse(
      "  width: {type: int, low: 16, high: 64, step: 16}\n  lr: {type: float, low: 0.001, high: "
      "0.1}\n");
  try {
    make_sampler(sampler_options("grid"), c.space, Direction::Maximize, 1);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(
        e.what(),
        "t.yaml: search_space.lr: has no grid values (a continuous float); list the values to try "
        "with grid: [...]");
  }
  const auto wide = parse("  n: {type: int, low: 1, high: 1000}\n");
  EXPECT_THROW(GridSampler(wide.space, 1, "t.yaml: sampler"), ConfigError);
}

TEST(GridSampler, TooManyCombinationsIsAConfigError) {
  std::string space;
  for (int i = 0; i < 7; ++i)
    space += "  p" + std::to_string(i) + ": {type: int, low: 1, high: 10}\n";
  const auto c = parse(space);  // 10^7 combinations
  try {
    GridSampler sampler(c.space, 1, "t.yaml: sampler");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(
        std::string(e.what()).find("t.yaml: sampler: the grid has more than 1000000 combinations"),
        std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace rungs
