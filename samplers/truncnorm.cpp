#include "samplers/truncnorm.h"

#include <cmath>
#include <limits>

namespace rungs::truncnorm {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kSqrt2 = 1.4142135623730950488;
constexpr double kLogSqrt2Pi = 0.91893853320467274178;  // log(sqrt(2 pi))
constexpr double kSqrt2Pi = 2.5066282746310005024;

// log(exp(p) - exp(q)) for p >= q.
double log_diff(double log_p, double log_q) { return log_p + std::log1p(-std::exp(log_q - log_p)); }

double log_add(double x, double y) {
  if (x == -kInf) return y;
  if (y == -kInf) return x;
  const double hi = std::max(x, y);
  return hi + std::log1p(std::exp(std::min(x, y) - hi));
}

// Acklam's rational approximation (relative error 1.2e-9), one Halley step makes it exact
// to double precision.
double ndtri_acklam(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  constexpr double p_low = 0.02425;
  if (p < p_low) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - p_low) {
    const double q = std::sqrt(-2 * std::log1p(-p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

}  // namespace

double ndtr(double x) { return 0.5 * std::erfc(-x / kSqrt2); }

double log_ndtr(double x) {
  if (x > 6) return -ndtr(-x);  // log(1 - e) ~ -e
  if (x > -20) return std::log(ndtr(x));
  // Asymptotic series of log Phi(x) for x -> -inf (as SciPy and Optuna).
  const double log_lhs = -0.5 * x * x - std::log(-x) - kLogSqrt2Pi;
  double last_total = 0.0, rhs = 1.0, numerator = 1.0, denom_factor = 1.0;
  const double denom_cons = 1.0 / (x * x);
  double sign = 1.0;
  for (int i = 1; std::abs(last_total - rhs) > std::numeric_limits<double>::epsilon(); ++i) {
    last_total = rhs;
    sign = -sign;
    denom_factor *= denom_cons;
    numerator *= 2 * i - 1;
    rhs += sign * numerator * denom_factor;
  }
  return log_lhs + std::log(rhs);
}

double ndtri(double p) {
  if (p <= 0) return -kInf;
  if (p >= 1) return kInf;
  double x = ndtri_acklam(p);
  // Halley step on Phi(x) - p, computed in the tail where it does not cancel.
  const double e = p < 0.5 ? ndtr(x) - p : (1 - p) - ndtr(-x);
  const double u = e * kSqrt2Pi * std::exp(0.5 * x * x);
  x = x - u / (1 + 0.5 * x * u);
  return x;
}

double ndtri_exp(double log_p) {
  if (log_p >= 0) return kInf;
  if (log_p > -0.6931471805599453) return -ndtri(-std::expm1(log_p));  // p > 1/2: use 1 - p
  if (log_p > -700) return ndtri(std::exp(log_p));
  if (log_p == -kInf) return -kInf;
  // exp(log_p) underflows: start from the asymptote log Phi(x) ~ -x^2/2 - log(-x sqrt(2 pi))
  // and run Newton on log Phi(x) = log_p, where d/dx log Phi(x) = phi(x) / Phi(x).
  double x = -std::sqrt(-2 * log_p);
  for (int i = 0; i < 50; ++i) {
    const double f = log_ndtr(x) - log_p;
    const double slope = std::exp(-0.5 * x * x - kLogSqrt2Pi - log_ndtr(x));
    const double next = x - f / slope;
    if (std::abs(next - x) <= 1e-15 * std::abs(x)) return next;
    x = next;
  }
  return x;
}

double log_gauss_mass(double a, double b) {
  // Work in the left tail, where the CDF is accurate; the right tail by symmetry.
  if (b <= 0) return log_diff(log_ndtr(b), log_ndtr(a));
  if (a > 0) return log_diff(log_ndtr(-a), log_ndtr(-b));
  return std::log1p(-ndtr(a) - ndtr(-b));
}

double ppf(double q, double a, double b) {
  return ppf(q, a, b, a == b ? 0.0 : log_gauss_mass(a, b));
}

double ppf(double q, double a, double b, double log_mass) {
  if (a == b) return std::nan("");
  if (q <= 0) return a;
  if (q >= 1) return b;
  double x;
  if (a < 0) {
    x = ndtri_exp(log_add(log_ndtr(a), std::log(q) + log_mass));
  } else {
    x = -ndtri_exp(log_add(log_ndtr(-b), std::log1p(-q) + log_mass));
  }
  return std::min(std::max(x, a), b);
}

}  // namespace rungs::truncnorm
