#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "sampler_test_util.h"
#include "samplers/sobol_sampler.h"

namespace rungs {
namespace {

SearchSpace unit_space(int d) {
  std::vector<ParamSpec> specs;
  for (int i = 0; i < d; ++i) {
    ParamSpec s;
    s.name = "x" + std::to_string(i);
    s.low = 0.0;
    s.high = 1.0;
    specs.push_back(s);
  }
  return SearchSpace(specs);
}

// Every elementary box of volume 1/256 (2^a by 2^(8-a) cells) holds exactly `per_box` points.
bool is_net(const std::vector<std::vector<double>>& points, int per_box) {
  for (int a = 0; a <= 8; ++a) {
    const int nx = 1 << a, ny = 1 << (8 - a);
    std::vector<int> count(static_cast<std::size_t>(nx * ny), 0);
    for (const auto& p : points) {
      ++count[static_cast<std::size_t>(static_cast<int>(p[0] * nx) * ny +
                                       static_cast<int>(p[1] * ny))];
    }
    for (int c : count) {
      if (c != per_box) return false;
    }
  }
  return true;
}

TEST(SobolSampler, UnscrambledStartsWithTheSobolSequence) {
  SobolSampler sobol(unit_space(2), 1, /*scramble=*/false);
  EXPECT_EQ(sobol.point(0), (std::vector<double>{0.0, 0.0}));
  EXPECT_EQ(sobol.point(1), (std::vector<double>{0.5, 0.5}));
  EXPECT_EQ(sobol.point(2), (std::vector<double>{0.75, 0.25}));
  EXPECT_EQ(sobol.point(3), (std::vector<double>{0.25, 0.75}));
}

TEST(SobolSampler, ScrambledPointsStillFormANetUnlikeRandomOnes) {
  // The low-discrepancy property: the first 256 points put exactly one point in every
  // elementary box of volume 1/256; scrambling keeps that, random points never manage it.
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    SobolSampler sobol(unit_space(2), seed);
    std::vector<std::vector<double>> points;
    for (std::uint64_t i = 0; i < 256; ++i) points.push_back(sobol.point(i));
    EXPECT_TRUE(is_net(points, 1)) << "seed " << seed;
    // ... and the next 256 as well, so the first 512 are a net with two per box.
    for (std::uint64_t i = 256; i < 512; ++i) points.push_back(sobol.point(i));
    EXPECT_TRUE(is_net(points, 2)) << "seed " << seed;
  }
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::vector<double>> random(256, std::vector<double>(2));
  for (auto& p : random) p = {u(rng), u(rng)};
  EXPECT_FALSE(is_net(random, 1));
}

TEST(SobolSampler, SuggestionsFollowThePointsAndDependOnTheSeed) {
  const SearchSpace space = unit_space(3);
  SobolSampler a(space, 7), b(space, 7), c(space, 8);
  for (int id = 0; id < 20; ++id) {
    const auto pa = *a.suggest(id, {});
    EXPECT_EQ(pa, *b.suggest(id, {}));
    EXPECT_NE(pa, *c.suggest(id, {}));
    const auto point = a.point(static_cast<std::uint64_t>(id));
    EXPECT_EQ(std::get<double>(pa.at("x1")), point[1]);
  }
}

}  // namespace
}  // namespace rungs
