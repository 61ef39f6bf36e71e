#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "study/config.h"

namespace rungs {
namespace {

ParamSpec float_spec(double low, double high, bool log = false, double step = 0) {
  ParamSpec s;
  s.name = "x";
  s.kind = ParamKind::Float;
  s.low = low;
  s.high = high;
  s.log = log;
  s.step = step;
  return s;
}

ParamSpec int_spec(double low, double high, double step = 1, bool log = false) {
  ParamSpec s = float_spec(low, high, log, step);
  s.kind = ParamKind::Int;
  return s;
}

TEST(SearchSpace, FloatStaysInBoundsAndIsMonotone) {
  const ParamSpec s = float_spec(-2.0, 3.0);
  double previous = -1e9;
  for (int i = 0; i <= 1000; ++i) {
    const double v = std::get<double>(s.from_unit(i / 1000.0));
    EXPECT_GE(v, -2.0);
    EXPECT_LE(v, 3.0);
    EXPECT_GE(v, previous);
    previous = v;
  }
}

TEST(SearchSpace, LogFloatSpendsEqualMassPerDecade) {
  const ParamSpec s = float_spec(1e-5, 1e-1, true);
  // A quarter of the unit interval per decade.
  EXPECT_NEAR(std::get<double>(s.from_unit(0.25)), 1e-4, 1e-12);
  EXPECT_NEAR(std::get<double>(s.from_unit(0.5)), 1e-3, 1e-11);
  EXPECT_NEAR(s.to_unit(ParamValue(1e-3)), 0.5, 1e-12);
}

TEST(SearchSpace, IntWithStepHitsEveryGridValueEvenly) {
  const ParamSpec s = int_spec(64, 512, 64);
  EXPECT_EQ(s.cardinality(), 8u);
  std::map<std::int64_t, int> counts;
  for (int i = 0; i < 8000; ++i) counts[std::get<std::int64_t>(s.from_unit((i + 0.5) / 8000))]++;
  ASSERT_EQ(counts.size(), 8u);
  for (const auto& [v, n] : counts) {
    EXPECT_EQ((v - 64) % 64, 0);
    EXPECT_EQ(n, 1000);
    EXPECT_TRUE(s.contains(ParamValue(v)));
  }
  EXPECT_FALSE(s.contains(ParamValue(std::int64_t{100})));
  EXPECT_FALSE(s.contains(ParamValue(100.0)));  // an int parameter holds ints only
}

TEST(SearchSpace, LogIntCoversBothEnds) {
  const ParamSpec s = int_spec(1, 1000, 1, true);
  std::set<std::int64_t> seen;
  for (int i = 0; i <= 10000; ++i) seen.insert(std::get<std::int64_t>(s.from_unit(i / 10000.0)));
  EXPECT_TRUE(seen.count(1));
  EXPECT_TRUE(seen.count(1000));
  EXPECT_LE(*seen.rbegin(), 1000);
}

TEST(SearchSpace, SteppedFloatSnapsToGrid) {
  const ParamSpec s = float_spec(0.0, 0.5, false, 0.1);
  EXPECT_EQ(s.cardinality(), 6u);
  for (int i = 0; i < 100; ++i) {
    const double v = std::get<double>(s.from_unit(i / 100.0));
    EXPECT_NEAR(v * 10, std::round(v * 10), 1e-9);
    EXPECT_TRUE(s.contains(ParamValue(v)));
  }
}

TEST(SearchSpace, CategoricalReturnsExactChoices) {
  ParamSpec s;
  s.kind = ParamKind::Categorical;
  s.choices = {ParamValue(std::string("sgd")), ParamValue(true), ParamValue(std::int64_t{3})};
  EXPECT_EQ(s.from_unit(0.0), s.choices[0]);
  EXPECT_EQ(s.from_unit(0.5), s.choices[1]);
  EXPECT_EQ(s.from_unit(0.99), s.choices[2]);
  EXPECT_EQ(s.from_unit(1.0), s.choices[2]);
  EXPECT_DOUBLE_EQ(s.to_unit(s.choices[1]), 0.5);
}

TEST(SearchSpace, ConditionalParametersAreActiveOnlyForTheirParentValues) {
  const StudyConfig c = parse_study_config(R"(
name: t
objective: {model: mlp}
search_space:
  optimizer: {type: categorical, choices: [sgd, adam]}
  momentum: {type: float, low: 0.0, high: 0.99, when: {optimizer: [sgd]}}
  nesterov: {type: categorical, choices: [true, false], when: {momentum: [0.5]}}
budget: {max_trials: 1, epochs: 1}
)", "t.yaml");
  const SearchSpace& space = c.space;
  EXPECT_TRUE(space.is_valid({{"optimizer", std::string("adam")}}));
  EXPECT_FALSE(space.is_valid({{"optimizer", std::string("adam")}, {"momentum", 0.5}}));
  EXPECT_FALSE(space.is_valid({{"optimizer", std::string("sgd")}}));
  EXPECT_TRUE(space.is_valid({{"optimizer", std::string("sgd")}, {"momentum", 0.3}}));
  EXPECT_TRUE(space.is_valid(
      {{"optimizer", std::string("sgd")}, {"momentum", 0.5}, {"nesterov", true}}));
  // A grandchild of an inactive parent is inactive.
  EXPECT_FALSE(space.is_active(*space.find("nesterov"), {{"optimizer", std::string("adam")}}));
}

}  // namespace
}  // namespace rungs
