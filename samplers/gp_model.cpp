#include "samplers/gp_model.h"

#include <cmath>
#include <limits>

#include "samplers/gp_lbfgs.h"
#include "study/errors.h"

namespace rungs {

namespace {

constexpr double kLog2Pi = 1.8378770664093453;

/// Cholesky of `k` (modified: jitter added to its diagonal until it factorises).
Eigen::LLT<Eigen::MatrixXd> factorize(Eigen::MatrixXd& k, double scale) {
  Eigen::LLT<Eigen::MatrixXd> llt(k);
  for (double jitter = 1e-10 * scale; llt.info() != Eigen::Success; jitter *= 10) {
    if (jitter > scale) throw Error("gp sampler: the kernel matrix is not positive definite");
    k.diagonal().array() += jitter;
    llt.compute(k);
  }
  return llt;
}

}  // namespace

GpKernelParams gp_params_of(const Eigen::VectorXd& theta) {
  const Eigen::Index d = theta.size() - 2;
  GpKernelParams p;
  p.inv_sq_lengthscales = theta.head(d).array().exp();
  p.scale = std::exp(theta[d]);
  p.noise = std::exp(theta[d + 1]) + kGpMinNoise;
  return p;
}

Eigen::VectorXd gp_theta_of(const GpKernelParams& params) {
  const Eigen::Index d = params.inv_sq_lengthscales.size();
  Eigen::VectorXd theta(d + 2);
  theta.head(d) = params.inv_sq_lengthscales.array().log();
  theta[d] = std::log(params.scale);
  theta[d + 1] = std::log(std::max(params.noise - kGpMinNoise, 1e-300));
  return theta;
}

double gp_log_marginal_likelihood(const std::vector<Eigen::MatrixXd>& distances,
                                  const Eigen::VectorXd& y, const Eigen::VectorXd& theta,
                                  bool with_prior, Eigen::VectorXd* gradient) {
  const auto d = static_cast<Eigen::Index>(distances.size());
  const Eigen::Index n = y.size();
  const GpKernelParams p = gp_params_of(theta);
  const double noise_excess = std::exp(theta[d + 1]);
  if (!std::isfinite(p.scale) || !std::isfinite(p.noise) || !p.inv_sq_lengthscales.allFinite())
    return -std::numeric_limits<double>::infinity();
  Eigen::MatrixXd r2 = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index j = 0; j < d; ++j) r2 += p.inv_sq_lengthscales[j] * distances[static_cast<std::size_t>(j)];
  const Eigen::MatrixXd m = r2.unaryExpr([](double v) { return matern52(v); });
  Eigen::MatrixXd k = p.scale * m;
  k.diagonal().array() += p.noise;
  const Eigen::LLT<Eigen::MatrixXd> llt(k);
  if (llt.info() != Eigen::Success) return -std::numeric_limits<double>::infinity();
  const Eigen::VectorXd alpha = llt.solve(y);
  const Eigen::MatrixXd& l = llt.matrixLLT();
  double value = -0.5 * y.dot(alpha) - l.diagonal().array().log().sum() - 0.5 * n * kLog2Pi;
  if (with_prior) {
    const Eigen::ArrayXd w = p.inv_sq_lengthscales.array();
    value += -(0.1 / w + 0.1 * w).sum() + (std::log(p.scale) - p.scale) +
             (0.1 * std::log(p.noise) - 30.0 * p.noise);
  }
  if (!gradient) return value;
  // d/dtheta = 1/2 tr((alpha alpha^T - K^-1) dK/dtheta).
  const Eigen::MatrixXd inner =
      alpha * alpha.transpose() - llt.solve(Eigen::MatrixXd::Identity(n, n));
  const Eigen::MatrixXd dm = r2.unaryExpr([](double v) { return matern52_d_r2(v); });
  const Eigen::MatrixXd weighted = inner.cwiseProduct(dm) * p.scale;
  gradient->resize(d + 2);
  for (Eigen::Index j = 0; j < d; ++j) {
    (*gradient)[j] = 0.5 * p.inv_sq_lengthscales[j] *
                     weighted.cwiseProduct(distances[static_cast<std::size_t>(j)]).sum();
  }
  (*gradient)[d] = 0.5 * inner.cwiseProduct(m).sum() * p.scale;
  (*gradient)[d + 1] = 0.5 * inner.trace() * noise_excess;
  if (with_prior) {
    const Eigen::ArrayXd w = p.inv_sq_lengthscales.array();
    gradient->head(d).array() += 0.1 / w - 0.1 * w;
    (*gradient)[d] += 1.0 - p.scale;
    (*gradient)[d + 1] += (0.1 / p.noise - 30.0) * noise_excess;
  }
  return value;
}

GpKernelParams gp_fit(const std::vector<GpFeature>& kinds, const Eigen::MatrixXd& x,
                      const Eigen::VectorXd& y) {
  GpKernelParams start;
  start.inv_sq_lengthscales = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(kinds.size()));
  start.scale = 1.0;
  start.noise = 1e-2;
  Eigen::VectorXd theta = gp_theta_of(start);
  if (y.size() == 0) return start;
  const std::vector<Eigen::MatrixXd> distances = gp_pairwise_distances(kinds, x);
  const Objective negative = [&](const Eigen::VectorXd& t, Eigen::VectorXd& g) {
    const double v = gp_log_marginal_likelihood(distances, y, t, true, &g);
    g = -g;
    return -v;
  };
  lbfgs_minimize(negative, theta);
  return gp_params_of(theta);
}

GpPosterior::GpPosterior(std::vector<GpFeature> kinds, GpKernelParams params, Eigen::MatrixXd x,
                         const Eigen::VectorXd& y)
    : kinds_(std::move(kinds)), params_(std::move(params)), x_(std::move(x)) {
  Eigen::MatrixXd k = gp_kernel(kinds_, params_, x_, x_);
  k.diagonal().array() += params_.noise;
  llt_ = factorize(k, params_.scale);
  alpha_ = llt_.solve(y);
}

void GpPosterior::predict(const Eigen::MatrixXd& points, Eigen::VectorXd& mean,
                          Eigen::VectorXd& var) const {
  if (x_.rows() == 0) {
    mean = Eigen::VectorXd::Zero(points.rows());
    var = Eigen::VectorXd::Constant(points.rows(), params_.scale);
    return;
  }
  const Eigen::MatrixXd k_star = gp_kernel(kinds_, params_, x_, points);  // n x m
  mean = k_star.transpose() * alpha_;
  const Eigen::MatrixXd v = llt_.matrixL().solve(k_star);
  var = (params_.scale - v.colwise().squaredNorm().transpose().array())
            .max(1e-12 * params_.scale)
            .matrix();
}

}  // namespace rungs
