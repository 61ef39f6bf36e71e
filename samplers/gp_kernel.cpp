#include "samplers/gp_kernel.h"

#include <cmath>

namespace rungs {

namespace {
const double kSqrt5 = std::sqrt(5.0);
}

double gp_sq_distance(GpFeature kind, double a, double b) {
  const bool active_a = a != kInactive, active_b = b != kInactive;
  if (kind == GpFeature::Categorical) return a == b ? 0.0 : 1.0;
  if (active_a && active_b) return (a - b) * (a - b);
  if (!active_a && !active_b) return 0.0;
  const double x = active_a ? a : b;
  return (x - 0.5) * (x - 0.5) + 1.0;
}

double matern52(double r2) {
  const double r = std::sqrt(r2);
  return (1.0 + kSqrt5 * r + 5.0 / 3.0 * r2) * std::exp(-kSqrt5 * r);
}

double matern52_d_r2(double r2) {
  // dm/dr = -5/3 r (1 + sqrt5 r) exp(-sqrt5 r), and d(r)/d(r^2) = 1 / (2r).
  const double r = std::sqrt(r2);
  return -5.0 / 6.0 * (1.0 + kSqrt5 * r) * std::exp(-kSqrt5 * r);
}

double gp_r2(const std::vector<GpFeature>& kinds, const Eigen::VectorXd& w, const double* a,
             const double* b) {
  double r2 = 0.0;
  for (std::size_t j = 0; j < kinds.size(); ++j) {
    r2 += w[static_cast<Eigen::Index>(j)] * gp_sq_distance(kinds[j], a[j], b[j]);
  }
  return r2;
}

Eigen::MatrixXd gp_kernel(const std::vector<GpFeature>& kinds, const GpKernelParams& params,
                          const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  // Row-major copies so that each point's features are contiguous.
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> ra = a, rb = b;
  Eigen::MatrixXd k(a.rows(), b.rows());
  for (Eigen::Index p = 0; p < a.rows(); ++p) {
    for (Eigen::Index q = 0; q < b.rows(); ++q) {
      k(p, q) = params.scale *
                matern52(gp_r2(kinds, params.inv_sq_lengthscales, ra.row(p).data(), rb.row(q).data()));
    }
  }
  return k;
}

std::vector<Eigen::MatrixXd> gp_pairwise_distances(const std::vector<GpFeature>& kinds,
                                                   const Eigen::MatrixXd& x) {
  const Eigen::Index n = x.rows();
  std::vector<Eigen::MatrixXd> d(kinds.size(), Eigen::MatrixXd::Zero(n, n));
  for (std::size_t j = 0; j < kinds.size(); ++j) {
    const auto col = static_cast<Eigen::Index>(j);
    for (Eigen::Index p = 0; p < n; ++p) {
      for (Eigen::Index q = 0; q < p; ++q) {
        d[j](p, q) = d[j](q, p) = gp_sq_distance(kinds[j], x(p, col), x(q, col));
      }
    }
  }
  return d;
}

}  // namespace rungs
