#pragma once
/// A small L-BFGS minimiser (Nocedal & Wright, algorithm 7.5) with a backtracking Armijo
/// line search, for the `gp` sampler's hyperparameter fit: a handful of variables, a smooth
/// objective with an analytic gradient. Deterministic; no allocation per step beyond the
/// history. A step whose objective is not finite is treated as too long.
#include <Eigen/Dense>
#include <functional>

namespace rungs {

struct LbfgsSettings {
  int max_iterations = 60;
  int history = 8;
  double gradient_tolerance = 1e-5;  ///< stop when max |gradient| is below this
  double relative_tolerance = 1e-9;  ///< ... or the objective improved by less than this
};

/// f(x, gradient) returns the objective at x and writes its gradient.
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& gradient)>;

/// Minimises f from x (updated in place); returns the objective at the final x.
double lbfgs_minimize(const Objective& f, Eigen::VectorXd& x, const LbfgsSettings& settings = {});

}  // namespace rungs
