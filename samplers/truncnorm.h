#pragma once
/// The standard normal distribution and its truncation to [a, b], as Optuna's TPE uses them
/// (optuna/samplers/_tpe/_truncnorm.py, itself taken from SciPy). Pure functions in double
/// precision, accurate far into both tails: the Parzen estimators of TPE evaluate kernels
/// whose truncation points lie up to ~100 standard deviations from their centre.
namespace rungs::truncnorm {

/// Phi(x), the standard normal CDF.
double ndtr(double x);
/// log Phi(x); finite for every finite x (an asymptotic series below -20).
double log_ndtr(double x);
/// Phi^{-1}(p) for p in (0, 1); -inf at 0, +inf at 1.
double ndtri(double p);
/// Phi^{-1}(exp(log_p)) for log_p <= 0, also where exp(log_p) underflows.
double ndtri_exp(double log_p);
/// log(Phi(b) - Phi(a)) for a <= b, without cancellation in either tail.
double log_gauss_mass(double a, double b);
/// The q-quantile (q in [0, 1]) of N(0, 1) truncated to [a, b]; NaN when a == b.
double ppf(double q, double a, double b);
/// The same with log_mass = log_gauss_mass(a, b) already known.
double ppf(double q, double a, double b, double log_mass);

}  // namespace rungs::truncnorm
