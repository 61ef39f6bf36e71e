#include "samplers/gp_acquisition.h"

#include <cmath>

namespace rungs {

namespace {
constexpr double kHalfLog2Pi = 0.91893853320467274;
constexpr double kSwitch = -10.0;
}  // namespace

double gp_log_h(double z) {
  if (z >= kSwitch) {
    const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
    const double pdf = std::exp(-0.5 * z * z - kHalfLog2Pi);
    return std::log(pdf + z * cdf);
  }
  // 1 - x R(x) = sum_{k>=1} (-1)^(k+1) (2k-1)!! / x^(2k); at x >= 10 the terms shrink by
  // (2k+1)/x^2 <= 0.43 for the 20 terms summed, the last below 1e-15 of the first.
  const double x = -z, inv_x2 = 1.0 / (x * x);
  double term = inv_x2, sum = 0.0;
  for (int k = 1; k <= 20; ++k) {
    sum += term;
    term *= -(2.0 * k + 1.0) * inv_x2;
  }
  return -0.5 * z * z - kHalfLog2Pi + std::log(sum);
}

double gp_log_ei(double mean, double var, double best) {
  const double sigma = std::sqrt(var);
  return std::log(sigma) + gp_log_h((mean - best) / sigma);
}

}  // namespace rungs
