#include <gtest/gtest.h>

#include <cmath>

#include "samplers/truncnorm.h"

namespace rungs {
namespace {

using namespace truncnorm;

TEST(Truncnorm, InverseCdfMatchesReferenceValues) {
  // Python's statistics.NormalDist().inv_cdf (Wichura's AS241).
  EXPECT_NEAR(ndtri(0.975), 1.9599639845400536, 1e-14);
  EXPECT_NEAR(ndtri(0.3), -0.5244005127080407, 1e-14);
  EXPECT_NEAR(ndtri(1e-10), -6.361340902404056, 1e-12);
  EXPECT_NEAR(ndtri(1 - 1e-10), 6.361340889697422, 1e-6);  // 1 - 1e-10 is not exact in double
  EXPECT_EQ(ndtri(0.5), 0.0);
}

TEST(Truncnorm, LogCdfInTheFarLeftTailAndTheInverse) {
  // log Phi(-30) = -454.321243956... (asymptotic series; Phi itself underflows at -38).
  EXPECT_NEAR(log_ndtr(-30), -454.32124395634315, 1e-9);
  EXPECT_NEAR(log_ndtr(-3), std::log(0.0013498980316301), 1e-12);
  for (double x : {-50.0, -20.0, -5.0, 0.0, 3.0})
    EXPECT_NEAR(ndtri_exp(log_ndtr(x)), x, 1e-9 * (1 + std::abs(x)));
}

TEST(Truncnorm, MassAndQuantilesOfTruncatedNormals) {
  // Phi(1) - Phi(-1)
  EXPECT_NEAR(std::exp(log_gauss_mass(-1, 1)), 0.6826894921370859, 1e-15);
  // Far right tail, where Phi(b) - Phi(a) cancels to 0 in double: both ~ Phi(-40).
  EXPECT_NEAR(log_gauss_mass(40, 41),
              log_ndtr(-40) + std::log1p(-std::exp(log_ndtr(-41) - log_ndtr(-40))), 1e-9);
  for (double q : {0.001, 0.25, 0.5, 0.9}) {
    for (auto [a, b] : {std::pair{-1.0, 2.0}, {-100.0, 0.0}, {0.0, 3.0}, {-0.5, 40.0}}) {
      const double x = ppf(q, a, b);
      ASSERT_GE(x, a);
      ASSERT_LE(x, b);
      // The CDF of the truncated normal at its q-quantile is q.
      EXPECT_NEAR(std::exp(log_gauss_mass(a, x) - log_gauss_mass(a, b)), q, 1e-12) << a << " " << b;
    }
  }
}

}  // namespace
}  // namespace rungs
