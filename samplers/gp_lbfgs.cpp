#include "samplers/gp_lbfgs.h"

#include <cmath>
#include <deque>

namespace rungs {

double lbfgs_minimize(const Objective& f, Eigen::VectorXd& x, const LbfgsSettings& settings) {
  Eigen::VectorXd g(x.size());
  double fx = f(x, g);
  if (!std::isfinite(fx)) return fx;
  std::deque<Eigen::VectorXd> s_hist, y_hist;
  std::deque<double> rho_hist;
  Eigen::VectorXd x_new(x.size()), g_new(x.size());
  for (int it = 0; it < settings.max_iterations; ++it) {
    if (g.cwiseAbs().maxCoeff() < settings.gradient_tolerance) break;
    // Two-loop recursion: direction = -H g.
    Eigen::VectorXd q = g;
    std::vector<double> alpha(s_hist.size());
    for (std::size_t i = s_hist.size(); i-- > 0;) {
      alpha[i] = rho_hist[i] * s_hist[i].dot(q);
      q -= alpha[i] * y_hist[i];
    }
    if (!s_hist.empty()) q *= s_hist.back().dot(y_hist.back()) / y_hist.back().squaredNorm();
    for (std::size_t i = 0; i < s_hist.size(); ++i) {
      const double beta = rho_hist[i] * y_hist[i].dot(q);
      q += (alpha[i] - beta) * s_hist[i];
    }
    Eigen::VectorXd direction = -q;
    double slope = g.dot(direction);
    if (!(slope < 0)) {  // not a descent direction: restart from steepest descent
      s_hist.clear(), y_hist.clear(), rho_hist.clear();
      direction = -g;
      slope = -g.squaredNorm();
    }
    // The first step of steepest descent is scaled to move at most 1 in any variable.
    double step = s_hist.empty() ? std::min(1.0, 1.0 / direction.cwiseAbs().maxCoeff()) : 1.0;
    double f_new = 0.0;
    bool accepted = false;
    for (int tries = 0; tries < 40; ++tries, step *= 0.5) {
      x_new = x + step * direction;
      f_new = f(x_new, g_new);
      if (std::isfinite(f_new) && f_new <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
    const Eigen::VectorXd s = x_new - x, y = g_new - g;
    const double sy = s.dot(y);
    const double improvement = fx - f_new;
    x = x_new;
    g = g_new;
    fx = f_new;
    if (sy > 1e-12) {
      s_hist.push_back(s);
      y_hist.push_back(y);
      rho_hist.push_back(1.0 / sy);
      if (static_cast<int>(s_hist.size()) > settings.history) {
        s_hist.pop_front(), y_hist.pop_front(), rho_hist.pop_front();
      }
    }
    if (improvement <= settings.relative_tolerance * std::max(1.0, std::abs(fx))) break;
  }
  return fx;
}

}  // namespace rungs
