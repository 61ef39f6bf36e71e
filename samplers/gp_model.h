#pragma once
/// Gaussian-process regression for the `gp` sampler: the log marginal likelihood of the
/// kernel hyperparameters (with Optuna GPSampler's priors) and its analytic gradient, the
/// fit that maximises it (L-BFGS in log space), and the posterior of a fitted model.
/// Outputs are expected standardized (mean 0, variance 1); the model has mean 0.
#include <Eigen/Dense>
#include <vector>

#include "samplers/gp_kernel.h"

namespace rungs {

/// The smallest noise variance a fit may choose (of the standardized outputs).
inline constexpr double kGpMinNoise = 1e-6;

/// Hyperparameters as the fit sees them: theta = (log w_1 .. log w_d, log scale,
/// log(noise - kGpMinNoise)).
GpKernelParams gp_params_of(const Eigen::VectorXd& theta);
Eigen::VectorXd gp_theta_of(const GpKernelParams& params);

/// log p(y | X, theta), plus the log prior when `with_prior` (gamma-like priors on the
/// inverse squared length scales, the scale and the noise, as Optuna's GPSampler), and its
/// gradient with respect to theta in `gradient` when not null. `distances` is
/// gp_pairwise_distances(kinds, X). -infinity when the kernel matrix is not positive definite.
double gp_log_marginal_likelihood(const std::vector<Eigen::MatrixXd>& distances,
                                  const Eigen::VectorXd& y, const Eigen::VectorXd& theta,
                                  bool with_prior, Eigen::VectorXd* gradient);

/// The hyperparameters maximising the log marginal likelihood plus the log prior, from
/// w = 1, scale = 1, noise = 0.01 (deterministic).
GpKernelParams gp_fit(const std::vector<GpFeature>& kinds, const Eigen::MatrixXd& x,
                      const Eigen::VectorXd& y);

/// The posterior of the latent function given observations (X, y) and hyperparameters.
/// The Cholesky factorisation of K + noise I is retried with growing jitter when it fails.
class GpPosterior {
 public:
  GpPosterior(std::vector<GpFeature> kinds, GpKernelParams params, Eigen::MatrixXd x,
              const Eigen::VectorXd& y);
  /// Posterior mean and variance (of the latent function, without noise) at each row.
  void predict(const Eigen::MatrixXd& points, Eigen::VectorXd& mean, Eigen::VectorXd& var) const;
  const GpKernelParams& params() const { return params_; }

 private:
  std::vector<GpFeature> kinds_;
  GpKernelParams params_;
  Eigen::MatrixXd x_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
  Eigen::VectorXd alpha_;
};

}  // namespace rungs
