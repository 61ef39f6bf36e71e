// PBT's maths: quantiles, the donor, perturbing and resampling parameters.
#include "schedulers/pbt_explore.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "scheduler_fixture.h"
#include "study/seed.h"

namespace rungs {
namespace {

using pbt::Standing;

TEST(PbtQuantiles, TakesCeilOfTheQuantileAtEachEndWorstFirst) {
  const std::vector<Standing> s{{0, 0.5}, {1, 0.9}, {2, 0.1}, {3, 0.7}, {4, 0.3}, {5, 0.8}, {6, 0.2}};
  const pbt::Quantiles q = pbt::quantiles(s, 0.25, Direction::Maximize);  // ceil(7 / 4) = 2
  EXPECT_EQ(q.bottom, (std::vector<int>{2, 6}));
  EXPECT_EQ(q.top, (std::vector<int>{5, 1}));
  const pbt::Quantiles m = pbt::quantiles(s, 0.25, Direction::Minimize);
  EXPECT_EQ(m.bottom, (std::vector<int>{1, 5}));
  EXPECT_EQ(m.top, (std::vector<int>{6, 2}));
}

TEST(PbtQuantiles, NeverPutsATrialInBothAndLeavesNaNOut) {
  const std::vector<Standing> three{{0, 0.5}, {1, 0.9}, {2, 0.1}};
  const pbt::Quantiles q = pbt::quantiles(three, 0.5, Direction::Maximize);  // ceil(1.5) = 2 > 3 / 2
  EXPECT_EQ(q.bottom, (std::vector<int>{2}));
  EXPECT_EQ(q.top, (std::vector<int>{1}));
  EXPECT_TRUE(pbt::quantiles({{0, 0.5}, {1, std::nan("")}}, 0.5, Direction::Maximize).bottom.empty());
  EXPECT_TRUE(pbt::quantiles({}, 0.25, Direction::Maximize).top.empty());
}

TEST(PbtDonor, IsUniformOverTheTopAndAFunctionOfTheSeed) {
  const std::vector<int> top{4, 9, 13};
  std::map<int, int> counts;
  for (std::uint64_t seed = 0; seed < 3000; ++seed) {
    const int d = pbt::choose_donor(top, derive_seed(11, seed));
    EXPECT_EQ(d, pbt::choose_donor(top, derive_seed(11, seed)));
    ++counts[d];
  }
  ASSERT_EQ(counts.size(), 3u);
  for (const auto& [donor, n] : counts) EXPECT_NEAR(n, 1000, 150) << "donor " << donor;
  EXPECT_EQ(pbt::choose_donor({}, 1), -1);
}

ParamSpec number(ParamKind kind, double low, double high, bool log = false, double step = 0.0) {
  ParamSpec s;
  s.name = "x";
  s.kind = kind;
  s.low = low;
  s.high = high;
  s.log = log;
  s.step = kind == ParamKind::Int && step == 0.0 ? 1.0 : step;
  return s;
}

TEST(PbtPerturb, MultipliesByTheDrawnFactorAndClampsToTheBounds) {
  const ParamSpec lr = number(ParamKind::Float, 1e-4, 1.0, true);
  const std::vector<double> f{0.8, 1.2};
  EXPECT_DOUBLE_EQ(std::get<double>(pbt::perturb(lr, 0.01, f, 0.1, 0)), 0.008);
  EXPECT_DOUBLE_EQ(std::get<double>(pbt::perturb(lr, 0.01, f, 0.9, 0)), 0.012);
  EXPECT_DOUBLE_EQ(std::get<double>(pbt::perturb(lr, 0.9, f, 0.9, 0)), 1.0);
  EXPECT_DOUBLE_EQ(std::get<double>(pbt::perturb(lr, 1.1e-4, f, 0.1, 0)), 1e-4);
  // A linear parameter at 0 moves by (factor - 1) times its range.
  const ParamSpec dropout = number(ParamKind::Float, 0.0, 0.5);
  EXPECT_DOUBLE_EQ(std::get<double>(pbt::perturb(dropout, 0.0, f, 0.9, 0)), 0.1);
  // Stepped floats stay on their grid.
  const ParamSpec stepped = number(ParamKind::Float, 0.0, 1.0, false, 0.25);
  EXPECT_DOUBLE_EQ(std::get<double>(pbt::perturb(stepped, 0.5, f, 0.9, 0)), 0.5);
  EXPECT_DOUBLE_EQ(std::get<double>(pbt::perturb(stepped, 0.75, f, 0.9, 0)), 1.0);
}

TEST(PbtPerturb, RoundsIntsAndMovesThemAtLeastOneStep) {
  const ParamSpec units = number(ParamKind::Int, 1, 512, true);
  const std::vector<double> f{0.8, 1.2};
  EXPECT_EQ(std::get<std::int64_t>(pbt::perturb(units, std::int64_t{100}, f, 0.9, 0)), 120);
  EXPECT_EQ(std::get<std::int64_t>(pbt::perturb(units, std::int64_t{100}, f, 0.1, 0)), 80);
  EXPECT_EQ(std::get<std::int64_t>(pbt::perturb(units, std::int64_t{2}, f, 0.9, 0)), 3);
  EXPECT_EQ(std::get<std::int64_t>(pbt::perturb(units, std::int64_t{1}, f, 0.1, 0)), 1);
  const ParamSpec even = number(ParamKind::Int, 2, 16, false, 2);
  EXPECT_EQ(std::get<std::int64_t>(pbt::perturb(even, std::int64_t{4}, f, 0.9, 0)), 6);
}

TEST(PbtPerturb, MovesACategoricalToANeighbour) {
  ParamSpec opt;
  opt.name = "optimizer";
  opt.kind = ParamKind::Categorical;
  opt.choices = {std::string("sgd"), std::string("adam"), std::string("adamw")};
  const std::vector<double> f{0.8, 1.2};
  EXPECT_EQ(std::get<std::string>(pbt::perturb(opt, std::string("adam"), f, 0, 0.2)), "sgd");
  EXPECT_EQ(std::get<std::string>(pbt::perturb(opt, std::string("adam"), f, 0, 0.7)), "adamw");
  EXPECT_EQ(std::get<std::string>(pbt::perturb(opt, std::string("sgd"), f, 0, 0.2)), "adam");
  EXPECT_EQ(std::get<std::string>(pbt::perturb(opt, std::string("adamw"), f, 0, 0.7)), "adam");
}

TEST(PbtExplore, ResamplesWithTheGivenProbabilityAndStaysValid) {
  const StudyConfig config = testing::study("fifo");
  const Params start{{"lr", 0.01}, {"dropout", 0.25}};
  int resampled = 0, n = 0;
  for (std::uint64_t seed = 0; seed < 2000; ++seed) {
    const Params p = pbt::explore(config.space, start, {0.25, {0.8, 1.2}}, seed);
    ASSERT_TRUE(config.space.is_valid(p)) << to_string(p);
    EXPECT_EQ(to_string(p), to_string(pbt::explore(config.space, start, {0.25, {0.8, 1.2}}, seed)));
    for (const char* name : {"lr", "dropout"}) {
      const double ratio = std::get<double>(p.at(name)) / std::get<double>(start.at(name));
      const bool perturbed = std::abs(ratio - 0.8) < 1e-9 || std::abs(ratio - 1.2) < 1e-9;
      resampled += !perturbed;
      ++n;
    }
  }
  EXPECT_NEAR(static_cast<double>(resampled) / n, 0.25, 0.03);
  const Params never = pbt::explore(config.space, start, {0.0, {2.0}}, 5);
  EXPECT_DOUBLE_EQ(std::get<double>(never.at("lr")), 0.02);
  EXPECT_DOUBLE_EQ(std::get<double>(never.at("dropout")), 0.5);
}

TEST(PbtExplore, APerturbedParentActivatesAndDropsItsChildren) {
  const StudyConfig config = parse_study_config(
      "name: t\nobjective: {model: mlp}\nfixed: {layers: 2}\nsearch_space:\n"
      "  optimizer: {type: categorical, choices: [sgd, adam]}\n"
      "  momentum: {type: float, low: 0.5, high: 0.99, when: {optimizer: [sgd]}}\n"
      "budget: {max_trials: 4, epochs: 2}\n",
      "study.yaml");
  const Params to_sgd = pbt::explore(config.space, {{"optimizer", std::string("adam")}}, {0.0, {1.2}}, 3);
  EXPECT_EQ(std::get<std::string>(to_sgd.at("optimizer")), "sgd") << "the only neighbour";
  ASSERT_EQ(to_sgd.count("momentum"), 1u) << "sampled once its parent makes it active";
  EXPECT_TRUE(config.space.is_valid(to_sgd));
  EXPECT_EQ(to_sgd.count("layers"), 0u) << "fixed parameters are not the space's";
  const Params to_adam = pbt::explore(config.space, {{"optimizer", std::string("sgd")}, {"momentum", 0.9}},
                                      {0.0, {1.2}}, 3);
  EXPECT_EQ(to_adam.count("momentum"), 0u) << "dropped with its parent";
}

}  // namespace
}  // namespace rungs
