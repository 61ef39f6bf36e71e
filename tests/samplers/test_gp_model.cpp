// The maths of the gp sampler: kernel, posterior, log EI, marginal-likelihood gradient, fit.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "samplers/gp_acquisition.h"
#include "samplers/gp_kernel.h"
#include "samplers/gp_lbfgs.h"
#include "samplers/gp_model.h"

namespace rungs {
namespace {

const std::vector<GpFeature> kNumeric2 = {GpFeature::Numeric, GpFeature::Numeric};

GpKernelParams params_with(std::vector<double> w, double scale, double noise) {
  GpKernelParams p;
  p.inv_sq_lengthscales = Eigen::Map<Eigen::VectorXd>(w.data(), static_cast<Eigen::Index>(w.size()));
  p.scale = scale;
  p.noise = noise;
  return p;
}

Eigen::MatrixXd rows(std::initializer_list<std::initializer_list<double>> values) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(values.size()),
                    static_cast<Eigen::Index>(values.begin()->size()));
  Eigen::Index i = 0;
  for (const auto& row : values) {
    Eigen::Index j = 0;
    for (const double v : row) m(i, j++) = v;
    ++i;
  }
  return m;
}

// Matern-5/2 written out for a distance r (not r^2), as in Rasmussen & Williams eq. 4.17.
double matern_by_hand(double r) {
  return (1 + std::sqrt(5.0) * r + 5.0 * r * r / 3.0) * std::exp(-std::sqrt(5.0) * r);
}

TEST(GpKernel, MatchesAHandComputationWithOneLengthScalePerDimension) {
  // Length scales 0.5 and 1: r = sqrt((0.2 / 0.5)^2 + (0.3 / 1)^2) = 0.5.
  const auto p = params_with({4.0, 1.0}, 2.0, 0.0);
  const Eigen::MatrixXd k = gp_kernel(kNumeric2, p, rows({{0.1, 0.5}}), rows({{0.3, 0.2}, {0.1, 0.5}}));
  EXPECT_NEAR(k(0, 0), 2.0 * matern_by_hand(0.5), 1e-14);
  EXPECT_NEAR(k(0, 1), 2.0, 1e-14);  // a point with itself: the signal variance
  // Swapping the length scales changes the value: the dimensions are weighted separately.
  const auto swapped = params_with({1.0, 4.0}, 2.0, 0.0);
  EXPECT_NEAR(gp_kernel(kNumeric2, swapped, rows({{0.1, 0.5}}), rows({{0.3, 0.2}}))(0, 0),
              2.0 * matern_by_hand(std::sqrt(0.04 + 4 * 0.09)), 1e-14);
}

TEST(GpKernel, CategoricalIsHammingAndInactiveIsAFixedValuePlusAnIndicator) {
  const std::vector<GpFeature> kinds = {GpFeature::Categorical, GpFeature::Numeric};
  const auto p = params_with({1.0, 1.0}, 1.0, 0.0);
  // Choices 0 and 2 differ by one (not two): the order of categorical choices is irrelevant.
  EXPECT_NEAR(gp_kernel(kinds, p, rows({{0, 0.3}}), rows({{2, 0.3}}))(0, 0), matern_by_hand(1.0), 1e-14);
  EXPECT_NEAR(gp_kernel(kinds, p, rows({{0, 0.3}}), rows({{1, 0.3}}))(0, 0), matern_by_hand(1.0), 1e-14);
  // An inactive numeric value against 0.3: (0.3 - 0.5)^2 + 1; both inactive: distance 0.
  EXPECT_NEAR(gp_kernel(kinds, p, rows({{0, kInactive}}), rows({{0, 0.3}}))(0, 0),
              matern_by_hand(std::sqrt(0.04 + 1.0)), 1e-14);
  EXPECT_NEAR(gp_kernel(kinds, p, rows({{0, kInactive}}), rows({{0, kInactive}}))(0, 0), 1.0, 1e-14);
  // An inactive categorical is its own level.
  EXPECT_NEAR(gp_kernel(kinds, p, rows({{kInactive, 0.3}}), rows({{0, 0.3}}))(0, 0), matern_by_hand(1.0), 1e-14);
}

TEST(GpPosterior, MatchesTheClosedFormWithOneAndTwoObservations) {
  const std::vector<GpFeature> kinds = {GpFeature::Numeric};
  const auto p = params_with({9.0}, 1.5, 0.1);
  auto k = [&](double a, double b) { return 1.5 * matern_by_hand(3.0 * std::abs(a - b)); };
  Eigen::VectorXd mean, var;
  // One observation y0 at x0: mean = k(x, x0) y0 / (s + noise), var = s - k^2 / (s + noise).
  const GpPosterior one(kinds, p, rows({{0.2}}), Eigen::VectorXd::Constant(1, 0.8));
  one.predict(rows({{0.5}}), mean, var);
  EXPECT_NEAR(mean[0], k(0.5, 0.2) * 0.8 / 1.6, 1e-12);
  EXPECT_NEAR(var[0], 1.5 - k(0.5, 0.2) * k(0.5, 0.2) / 1.6, 1e-12);
  // Two observations: the 2x2 inverse written out.
  Eigen::VectorXd y(2);
  y << 0.8, -0.4;
  const GpPosterior two(kinds, p, rows({{0.2}, {0.7}}), y);
  two.predict(rows({{0.5}}), mean, var);
  const double a = 1.6, b = k(0.2, 0.7), det = a * a - b * b;
  const double k1 = k(0.5, 0.2), k2 = k(0.5, 0.7);
  // K^-1 = [a -b; -b a] / det.
  const double w1 = (a * k1 - b * k2) / det, w2 = (a * k2 - b * k1) / det;
  EXPECT_NEAR(mean[0], w1 * 0.8 + w2 * -0.4, 1e-12);
  EXPECT_NEAR(var[0], 1.5 - (k1 * w1 + k2 * w2), 1e-12);
}

TEST(GpPosterior, DuplicatePointsWithoutNoiseStillFactorize) {
  const std::vector<GpFeature> kinds = {GpFeature::Numeric};
  const auto p = params_with({1.0}, 1.0, 0.0);
  Eigen::VectorXd y(3);
  y << 1.0, 1.0, 1.0;
  const GpPosterior posterior(kinds, p, rows({{0.4}, {0.4}, {0.4}}), y);
  Eigen::VectorXd mean, var;
  posterior.predict(rows({{0.4}}), mean, var);
  EXPECT_NEAR(mean[0], 1.0, 1e-4);
  EXPECT_TRUE(std::isfinite(var[0]));
}

// EI written out in long double, where it is representable.
long double ei_by_hand(long double z) {
  const long double pdf = std::exp(-0.5L * z * z) / std::sqrt(2.0L * 3.14159265358979323846L);
  const long double cdf = 0.5L * std::erfc(-z / std::sqrt(2.0L));
  return pdf + z * cdf;
}

TEST(GpLogEi, EqualsTheLogOfEiWhereEiIsRepresentable) {
  for (double z = -14.0; z <= 6.0; z += 0.25) {
    const double expected = static_cast<double>(std::log(ei_by_hand(z)));
    EXPECT_NEAR(gp_log_h(z), expected, 1e-9 * std::max(1.0, std::abs(expected))) << "z = " << z;
  }
  // With a scale: log EI = log sigma + log h((mean - best) / sigma).
  EXPECT_NEAR(gp_log_ei(1.0, 4.0, 2.0),
              static_cast<double>(std::log(2.0L * ei_by_hand(-0.5L))), 1e-12);
}

TEST(GpLogEi, StaysFiniteAndOrderedWhereEiUnderflows) {
  // EI itself underflows to 0 below z of about -38.
  EXPECT_EQ(static_cast<double>(ei_by_hand(-40.0L)) * 1e-300, 0.0);
  double previous = gp_log_h(-1000.0);
  EXPECT_TRUE(std::isfinite(previous));
  for (const double z : {-500.0, -100.0, -40.0, -20.0, -10.0001, -10.0, -9.9999, -5.0}) {
    const double v = gp_log_h(z);
    EXPECT_TRUE(std::isfinite(v)) << z;
    EXPECT_GT(v, previous) << z;  // increasing in z
    previous = v;
  }
  // Both branches agree where they meet.
  EXPECT_NEAR(gp_log_h(-10.0 - 1e-12), gp_log_h(-10.0), 1e-9);
  // Asymptotically log h(z) = -z^2/2 - log(sqrt(2 pi)) - 2 log|z|.
  EXPECT_NEAR(gp_log_h(-1000.0), -500000.0 - 0.5 * std::log(2 * M_PI) - 2 * std::log(1000.0), 1e-5);
}

struct Problem {
  std::vector<GpFeature> kinds;
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
};

// 30 points in [0, 1]^2 (and a categorical): y depends on x0 only (plus a little noise).
Problem relevant_and_irrelevant(unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::normal_distribution<double> noise(0, 0.01);
  Problem p;
  p.kinds = {GpFeature::Numeric, GpFeature::Numeric, GpFeature::Categorical};
  p.x.resize(30, 3);
  p.y.resize(30);
  for (int i = 0; i < 30; ++i) {
    p.x(i, 0) = unit(rng);
    p.x(i, 1) = unit(rng);
    p.x(i, 2) = static_cast<double>(i % 3);
    p.y[i] = std::sin(6 * p.x(i, 0)) + noise(rng);
  }
  p.y = (p.y.array() - p.y.mean()) / std::sqrt((p.y.array() - p.y.mean()).square().mean());
  return p;
}

TEST(GpMarginalLikelihood, GradientMatchesFiniteDifferences) {
  const Problem p = relevant_and_irrelevant(1);
  const auto distances = gp_pairwise_distances(p.kinds, p.x);
  Eigen::VectorXd theta(5);
  theta << 0.7, -0.4, 0.2, 0.3, -3.0;
  for (const bool prior : {false, true}) {
    Eigen::VectorXd gradient;
    gp_log_marginal_likelihood(distances, p.y, theta, prior, &gradient);
    for (Eigen::Index j = 0; j < theta.size(); ++j) {
      const double h = 1e-5;
      Eigen::VectorXd up = theta, down = theta;
      up[j] += h;
      down[j] -= h;
      const double numeric = (gp_log_marginal_likelihood(distances, p.y, up, prior, nullptr) -
                              gp_log_marginal_likelihood(distances, p.y, down, prior, nullptr)) /
                             (2 * h);
      EXPECT_NEAR(gradient[j], numeric, 1e-5 * std::max(1.0, std::abs(numeric)))
          << "theta " << j << (prior ? " with prior" : "");
    }
  }
}

TEST(GpFit, GivesTheRelevantDimensionTheShorterLengthScale) {
  for (const unsigned seed : {1u, 2u, 3u}) {
    const Problem p = relevant_and_irrelevant(seed);
    const GpKernelParams fitted = gp_fit(p.kinds, p.x, p.y);
    const auto& w = fitted.inv_sq_lengthscales;  // large w: short length scale
    EXPECT_GT(w[0], 10 * w[1]) << "seed " << seed << ": w = " << w.transpose();
    EXPECT_GT(w[0], 10 * w[2]) << "seed " << seed << ": w = " << w.transpose();
    EXPECT_LT(fitted.noise, 0.05) << "seed " << seed;
    // The fit is at least as likely as where it started.
    const auto distances = gp_pairwise_distances(p.kinds, p.x);
    Eigen::VectorXd start(5);
    start << 0, 0, 0, 0, std::log(1e-2 - kGpMinNoise);
    EXPECT_GT(gp_log_marginal_likelihood(distances, p.y, gp_theta_of(fitted), true, nullptr),
              gp_log_marginal_likelihood(distances, p.y, start, true, nullptr));
  }
}

TEST(Lbfgs, FindsTheMinimumOfRosenbrock) {
  const Objective rosenbrock = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    g.resize(2);
    g[0] = -2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] * x[0]);
    g[1] = 200 * (x[1] - x[0] * x[0]);
    return (1 - x[0]) * (1 - x[0]) + 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]);
  };
  Eigen::VectorXd x(2);
  x << -1.2, 1.0;
  LbfgsSettings settings;
  settings.max_iterations = 200;
  settings.relative_tolerance = 0;
  EXPECT_LT(lbfgs_minimize(rosenbrock, x, settings), 1e-8);
  EXPECT_NEAR(x[0], 1.0, 1e-3);
  EXPECT_NEAR(x[1], 1.0, 1e-3);
}

}  // namespace
}  // namespace rungs
