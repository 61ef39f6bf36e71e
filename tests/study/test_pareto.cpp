// Several objectives: points, fronts, crowding and hypervolume as a user reading a Pareto
// front would check them by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "study/pareto.h"

namespace rungs {
namespace {

TrialRecord with_metrics(std::vector<Metric> metrics) {
  TrialRecord t;
  EpochResult r;
  r.epoch = 1;
  r.metrics = std::move(metrics);
  t.curve.push_back(r);
  return t;
}

TEST(Pareto, APointIsEveryObjectiveAsALossFromTheLastEpoch) {
  const std::vector<Objective> objectives = {{"val_accuracy", Direction::Maximize}, {"params", Direction::Minimize}};
  const TrialRecord t = with_metrics({{"params", 1000}, {"val_accuracy", 0.9}});
  EXPECT_EQ(objective_point(t, objectives), (Point{-0.9, 1000}));
  EXPECT_FALSE(objective_point(with_metrics({{"val_accuracy", 0.9}}), objectives)) << "a metric missing";
  EXPECT_FALSE(objective_point(with_metrics({{"val_accuracy", NAN}, {"params", 1}}), objectives)) << "NaN";
  EXPECT_FALSE(objective_point(TrialRecord{}, objectives)) << "no epoch";
}

TEST(Pareto, ConstraintViolationIsTheDistancePastEachBound) {
  const std::vector<Constraint> c = {{"memory_mb", 8000.0, std::nullopt}, {"latency_ms", 10.0, 1.0}};
  EXPECT_EQ(constraint_violation(with_metrics({{"memory_mb", 7000}, {"latency_ms", 5}}), c), 0.0);
  EXPECT_EQ(constraint_violation(with_metrics({{"memory_mb", 8500}, {"latency_ms", 0.5}}), c), 500.5);
  EXPECT_TRUE(std::isinf(constraint_violation(with_metrics({{"memory_mb", 1}}), c))) << "unknown is not feasible";
  EXPECT_EQ(constraint_violation(with_metrics({}), {}), 0.0);
}

TEST(Pareto, RanksAreTheSuccessiveFronts) {
  const std::vector<Point> points = {{1, 4}, {2, 2}, {4, 1}, {3, 3}, {5, 5}, {2, 2}};
  EXPECT_EQ(pareto_ranks(points), (std::vector<int>{0, 0, 0, 1, 2, 0})) << "equal points share a front";
  EXPECT_TRUE(dominates({1, 1}, {1, 2}));
  EXPECT_FALSE(dominates({1, 2}, {1, 2}));
  EXPECT_FALSE(dominates({0, 3}, {1, 2}));
}

TEST(Pareto, FeasiblePointsRankBeforeInfeasibleOnes) {
  // The infeasible (0, 0) would dominate everything; under constraints it ranks last, and of
  // two infeasible points the smaller violation ranks first.
  const std::vector<Point> points = {{0, 0}, {1, 4}, {4, 1}, {0, 0}};
  EXPECT_EQ(pareto_ranks(points, {2.0, 0.0, 0.0, 1.0}), (std::vector<int>{2, 0, 0, 1}));
}

TEST(Pareto, CrowdingDistanceFavoursTheExtremesAndTheLonely) {
  const std::vector<Point> points = {{0, 4}, {1, 3}, {3, 1}, {4, 0}};
  const std::vector<double> d = crowding_distances(points, {0, 1, 2, 3});
  EXPECT_TRUE(std::isinf(d[0]) && std::isinf(d[3]));
  EXPECT_DOUBLE_EQ(d[1], (3.0 - 0.0) / 4 + (4.0 - 1.0) / 4);
  EXPECT_DOUBLE_EQ(d[2], (4.0 - 1.0) / 4 + (3.0 - 0.0) / 4);
}

TEST(Pareto, HypervolumeIn2DIsTheAreaOfTheStaircase) {
  EXPECT_DOUBLE_EQ(hypervolume({{1, 2}, {2, 1}}, {3, 3}), 3.0);
  EXPECT_DOUBLE_EQ(hypervolume({{1, 2}, {2, 1}, {2, 2}}, {3, 3}), 3.0) << "a dominated point adds nothing";
  EXPECT_DOUBLE_EQ(hypervolume({{4, 0}}, {3, 3}), 0.0) << "beyond the reference";
  EXPECT_DOUBLE_EQ(hypervolume({}, {3, 3}), 0.0);
}

TEST(Pareto, HypervolumeIn3DMatchesInclusionExclusion) {
  // For three boxes [p, r], the union's volume by inclusion-exclusion.
  const Point r = {1, 1, 1};
  const auto box = [&](const Point& p) { return (r[0] - p[0]) * (r[1] - p[1]) * (r[2] - p[2]); };
  const auto join = [](const Point& a, const Point& b) {
    return Point{std::max(a[0], b[0]), std::max(a[1], b[1]), std::max(a[2], b[2])};
  };
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int k = 0; k < 50; ++k) {
    const Point a = {u(rng), u(rng), u(rng)}, b = {u(rng), u(rng), u(rng)}, c = {u(rng), u(rng), u(rng)};
    const double expected = box(a) + box(b) + box(c) - box(join(a, b)) - box(join(a, c)) -
                            box(join(b, c)) + box(join(join(a, b), c));
    EXPECT_NEAR(hypervolume({a, b, c}, r), expected, 1e-12) << k;
  }
}

}  // namespace
}  // namespace rungs
