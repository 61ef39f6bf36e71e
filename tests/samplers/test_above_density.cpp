// The incremental above estimator gives what the direct estimator over the same
// observations gives, while members come and go (new trials, trials moving into and out of
// the below group, running trials failing).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "samplers/above_density.h"

namespace rungs {
namespace {

struct Case {
  const char* name;
  ParzenDomain domain;
  double tolerance;
};

std::vector<Case> cases() {
  ParzenDomain continuous;
  continuous.low = continuous.first = -5;
  continuous.high = continuous.last = 10;
  ParzenDomain ints;
  ints.integer = true;
  ints.step = 1;
  ints.first = 0;
  ints.last = 100;
  ints.low = -0.5;
  ints.high = 100.5;
  ParzenDomain fine;  // a stepped float with more values than grid nodes: interpolated
  fine.step = 0.001;
  fine.first = 0;
  fine.last = 10;
  fine.low = -0.0005;
  fine.high = 10.0005;
  ParzenDomain categorical;
  categorical.categorical = true;
  categorical.n_choices = 5;
  return {{"continuous", continuous, 2e-6},
          {"int", ints, 1e-11},
          {"fine", fine, 2e-6},
          {"categorical", categorical, 1e-12}};
}

TEST(AboveDensity, BlockedEvaluationMatchesTheDirectEstimator) {
  for (const auto& c : cases()) {
    AboveDensity above(c.domain, ParzenSettings{});
    std::mt19937_64 rng(42);
    std::normal_distribution<double> normal(2, 1.5);
    auto draw = [&](int shift) {
      if (c.domain.categorical) return static_cast<double>((rng() % 7) % 5);
      return round_internal(c.domain,
                            std::clamp(normal(rng) + shift, c.domain.first, c.domain.last));
    };
    std::vector<double> points;
    for (int i = 0; i < 40; ++i) points.push_back(draw(0));
    std::vector<int> members;
    double worst = 0;
    int checks = 0;
    for (int k = 0; k < 2600; ++k) {
      // Trial ids with gaps (trials without the parameter, or in the below group), reaching
      // past 128 blocks of 64 so that blocks merge.
      const int t = 4 * k + k % 3;
      above.insert(t, draw(k % 3));
      members.push_back(t);
      // Every 7th trial an older member leaves (it joined the below group, or failed); every
      // 11th one comes back.
      if (k % 7 == 3) {
        const std::size_t leaving = rng() % members.size();
        above.erase(members[leaving]);
        members.erase(members.begin() + static_cast<long>(leaving));
      }
      if (k % 11 == 5 && t > 400 && !above.contains(t - 400)) {
        above.insert(t - 400, draw(0));
        members.push_back(t - 400);
      }
      if (above.size() >= AboveDensity::kBlockedMin && k % 101 == 0) {
        std::vector<double> blocked(points.size()), direct(points.size());
        above.log_pdf(points.data(), points.size(), blocked.data());
        above.log_pdf_direct(points.data(), points.size(), direct.data());
        for (std::size_t i = 0; i < points.size(); ++i)
          worst = std::max(worst, std::abs(blocked[i] - direct[i]));
        ++checks;
      }
    }
    EXPECT_GT(checks, 15) << c.name;
    EXPECT_LT(worst, c.tolerance) << c.name;
  }
}

}  // namespace
}  // namespace rungs
