#pragma once
/// Log expected improvement, computed so that it stays finite and accurate where the
/// expected improvement itself underflows (Ament et al. 2023, "Unexpected improvements to
/// expected improvement for Bayesian optimization", eq. 9). For a posterior N(mean, var) and
/// the best value so far `best` (maximised),
///   EI = sigma h(z),  z = (mean - best) / sigma,  h(z) = phi(z) + z Phi(z),
///   log EI = log sigma + log h(z).
/// log h(z) is evaluated directly for z >= -10 (no cancellation worth a digit there: erfc is
/// accurate in its tail), and beyond from h(z) = phi(z) (1 - x R(x)) with x = -z and R the
/// Mills ratio, whose asymptotic series 1 - x R(x) = 1/x^2 - 3/x^4 + 15/x^6 - ... is summed
/// to double precision. Pure functions.

namespace rungs {

/// log h(z); finite for every finite z.
double gp_log_h(double z);

/// log EI for a posterior with `mean` and variance `var` (> 0) against `best`.
double gp_log_ei(double mean, double var, double best);

}  // namespace rungs
