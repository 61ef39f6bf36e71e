// The Parzen estimator against Optuna 3.1's _ParzenEstimator on small cases: the reference
// numbers (mus, sigmas, weights, log_pdf) come from optuna/samplers/_tpe/parzen_estimator.py
// as shipped in Debian's python3-optuna 3.1.0; the bandwidths are also checked by hand in
// the comments.
#include <gtest/gtest.h>

#include <cmath>

#include "samplers/parzen_estimator.h"

namespace rungs {
namespace {

ParzenDomain floats(double low, double high) {
  ParzenDomain d;
  d.low = d.first = low;
  d.high = d.last = high;
  return d;
}

void expect_near(const std::vector<double>& got, const std::vector<double>& want,
                 double tol = 1e-12) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "index " << i;
}

std::vector<double> log_pdf(const ParzenEstimator& e, const std::vector<double>& points) {
  std::vector<double> out(points.size() / e.dims());
  e.log_pdf(points.data(), out.size(), out.data());
  return out;
}

TEST(ParzenEstimator, BandwidthsAreTheLargerNeighbourGapWithTheMagicClip) {
  // x in [0, 10], observations 1, 2, 7 and the prior at 5. Sorted: 1 2 5 7.
  // 1 is the outermost: its inner gap 1, clipped up to 10 / min(100, 1 + 4) = 2.
  // 2: max(1, 3) = 3. 7 (outermost): 7 - 5 = 2. The prior: the range, 10.
  const ParzenEstimator e({floats(0, 10)}, {1, 2, 7}, {1, 1, 1}, ParzenSettings{});
  expect_near(e.mus(0), {1, 2, 7, 5});
  expect_near(e.sigmas(0), {2, 3, 2, 10});
  expect_near(e.weights(), {0.25, 0.25, 0.25, 0.25});
  expect_near(log_pdf(e, {0.5, 2.5, 9.0}),
              {-0.7050675893672582, -0.6889797644895298, -1.1579318692233702});
}

TEST(ParzenEstimator, ConsiderEndpointsWidensTheOutermostKernels) {
  // 7's gaps are 2 (to the prior) and 3 (to the end of the domain, 10).
  ParzenSettings s;
  s.consider_endpoints = true;
  const ParzenEstimator e({floats(0, 10)}, {1, 2, 7}, {1, 1, 1}, s);
  expect_near(e.sigmas(0), {2, 3, 3, 10});
  expect_near(log_pdf(e, {0.5, 2.5, 9.0}),
              {-0.6831927230136541, -0.6301300647010344, -1.0632317021209825});
}

TEST(ParzenEstimator, MagicClipFloorsTheBandwidthOfClusteredObservations) {
  const ParzenEstimator e({floats(0, 10)}, {5.0, 5.0001, 5.0002}, {1, 1, 1}, ParzenSettings{});
  expect_near(e.sigmas(0), {2, 2, 2, 10});
  expect_near(log_pdf(e, {5.0, 9.0}), {-0.5737181562450039, -1.2678399487601915});
  ParzenSettings no_clip;
  no_clip.consider_magic_clip = false;
  const ParzenEstimator tight({floats(0, 10)}, {5.0, 5.0001, 5.0002}, {1, 1, 1}, no_clip);
  EXPECT_NEAR(tight.sigmas(0)[1], 0.0001, 1e-12);
}

TEST(ParzenEstimator, SteppedIntegersUseCellMasses) {
  // int in [0, 10] step 2: kernels on [-1, 11]. Sorted 2 4 4 5(prior) 10: the first 4 gets
  // max(2, 0) = 2, the second max(0, 1) = 1, clipped to 12 / 6 = 2; 10 gets 10 - 5 = 5.
  ParzenDomain d;
  d.integer = true;
  d.step = 2;
  d.first = 0;
  d.last = 10;
  d.low = -1;
  d.high = 11;
  const ParzenEstimator e({d}, {2, 4, 4, 10}, {1, 1, 1, 1}, ParzenSettings{});
  expect_near(e.sigmas(0), {2, 2, 2, 5, 12});
  expect_near(log_pdf(e, {0, 4, 8}), {-2.15584299790913, -1.3164125694265802, -2.197135113815695});
  // The masses of all values add up to 1.
  double total = 0;
  for (double v : log_pdf(e, {0, 2, 4, 6, 8, 10})) total += std::exp(v);
  EXPECT_NEAR(total, 1.0, 1e-12);
}

TEST(ParzenEstimator, LogScaleWorksOnLogValues) {
  ParzenDomain d = floats(std::log(1e-3), std::log(1.0));
  d.log = true;
  d.first = 1e-3;
  d.last = 1.0;
  const ParzenEstimator e({d}, {std::log(0.01), std::log(0.1)}, {1, 1}, ParzenSettings{});
  expect_near(e.sigmas(0), {1.7269388197455342, 1.7269388197455342, 6.907755278982137});
  expect_near(log_pdf(e, {std::log(0.002), std::log(0.05)}),
              {-0.8507436404845027, -0.5494447497318674});
}

TEST(ParzenEstimator, CategoricalRowsAreSmoothedByThePrior) {
  // Each observation's row: prior_weight / (n + 1) = 1/4 everywhere plus 1 at its choice,
  // normalised: 1.25 / 1.75 and 0.25 / 1.75. The prior's row is uniform.
  ParzenDomain d;
  d.categorical = true;
  d.n_choices = 3;
  const ParzenEstimator e({d}, {0, 2, 2}, {1, 1, 1}, ParzenSettings{});
  EXPECT_NEAR(e.categorical_weight(0, 0, 0), 1.25 / 1.75, 1e-15);
  EXPECT_NEAR(e.categorical_weight(0, 0, 1), 0.25 / 1.75, 1e-15);
  EXPECT_NEAR(e.categorical_weight(3, 0, 1), 1.0 / 3, 1e-15);
  expect_near(log_pdf(e, {0, 1, 2}),
              {-1.0986122886681096, -1.6582280766035324, -0.7419373447293772});
}

TEST(ParzenEstimator, MultivariateUsesScottsRule) {
  // sigma0 = 0.2 * 3^(-1/6) = 0.167 of the range, clipped up to range / min(100, 1 + 4):
  // 1 / 5 = 0.2 for x, 10 / 5 = 2 for y.
  ParzenSettings s;
  s.multivariate = true;
  const ParzenEstimator e({floats(0, 1), floats(-5, 5)}, {0.2, 1.0, 0.5, -3.0, 0.9, 4.0}, {1, 1, 1},
                          s);
  EXPECT_NEAR(multivariate_sigma0(3, 2), 0.2 * std::pow(3.0, -1.0 / 6), 1e-15);
  expect_near(e.sigmas(0), {0.2, 0.2, 0.2, 1.0});
  expect_near(e.sigmas(1), {2, 2, 2, 10});
  expect_near(log_pdf(e, {0.3, 0.0, 0.8, 3.0}), {-1.1606721141970127, -1.160568753929016});
}

TEST(ParzenEstimator, ThePriorIsACentredKernelAsWideAsTheRangeWeightedByPriorWeight) {
  ParzenSettings s;
  s.prior_weight = 2.0;
  const ParzenEstimator e({floats(0, 10)}, {1, 2, 7}, {1, 1, 1}, s);
  expect_near(e.weights(), {0.2, 0.2, 0.2, 0.4});
  EXPECT_EQ(e.mus(0).back(), 5.0);
  EXPECT_EQ(e.sigmas(0).back(), 10.0);
  // Categorical: the smoothing of each row is prior_weight / (n + 1) = 0.5.
  ParzenDomain d;
  d.categorical = true;
  d.n_choices = 2;
  const ParzenEstimator c({d}, {0, 0, 1}, {1, 1, 1}, s);
  EXPECT_NEAR(c.categorical_weight(0, 0, 0), 1.5 / 2.0, 1e-15);
}

TEST(ParzenEstimator, WithoutObservationsItIsThePrior) {
  const ParzenEstimator e({floats(0, 10)}, {}, {}, ParzenSettings{});
  expect_near(e.weights(), {1.0});
  expect_near(log_pdf(e, {0.0, 5.0}), {-0.08402219950905043, 0.04097780049094957});
}

TEST(ParzenEstimator, WeightsRampOverOldObservationsAndGammaCapsTheBelowGroup) {
  // Optuna: np.linspace(1/30, 1, 5) for the 5 oldest, then 25 ones.
  std::vector<double> w30(30, 1.0);
  w30[0] = 1.0 / 30, w30[1] = 0.275, w30[2] = 0.5166666666666667, w30[3] = 0.7583333333333333;
  expect_near(default_weights(30), w30);
  EXPECT_NEAR(default_weights(26)[0], 1.0 / 26, 1e-15);  // a one-point ramp is its start
  EXPECT_EQ(default_weights(25), std::vector<double>(25, 1.0));
  EXPECT_EQ(below_count(0, 0.1, 25), 0u);
  EXPECT_EQ(below_count(10, 0.1, 25), 1u);
  EXPECT_EQ(below_count(11, 0.1, 25), 2u);
  EXPECT_EQ(below_count(249, 0.1, 25), 25u);
  EXPECT_EQ(below_count(100000, 0.1, 25), 25u);
}

TEST(ParzenEstimator, SamplesAreValidValuesDrawnFromTheMixture) {
  ParzenDomain d;
  d.integer = true;
  d.step = 1;
  d.first = 1;
  d.last = 5;
  d.low = 0.5;
  d.high = 5.5;
  const ParzenEstimator e({d}, {2, 2, 2, 2}, {1, 1, 1, 1}, ParzenSettings{});
  Rng rng(1);
  const auto s = e.sample(rng, 2000);
  int twos = 0;
  for (double v : s) {
    ASSERT_EQ(v, std::round(v));
    ASSERT_GE(v, 1);
    ASSERT_LE(v, 5);
    twos += v == 2;
  }
  std::vector<double> p(1);
  const double two = 2;
  e.log_pdf(&two, 1, p.data());
  EXPECT_NEAR(twos / 2000.0, std::exp(p[0]), 0.03);
}

}  // namespace
}  // namespace rungs
