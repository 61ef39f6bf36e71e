#pragma once
/// The Gaussian-process kernel of the `gp` sampler: Matern-5/2 with automatic relevance
/// determination over the encoded inputs of gp_space.h,
///   k(x, x') = scale * m(r),  m(r) = (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r),
///   r^2 = sum_j w_j d_j(x_j, x'_j),
/// with w_j the inverse squared length scale of feature j and d_j its squared distance:
/// - numeric feature (a value in [0, 1]; inactive: kInactive): (x - x')^2 when both are
///   active, 0 when neither is, and (x - 0.5)^2 + 1 for the active x when only one is. That is
///   the Euclidean distance of the embedding x -> (x, 0), inactive -> (0.5, 1): a fixed value
///   plus an indicator, so the kernel stays positive definite;
/// - categorical feature (the choice's index; inactive: kInactive, an extra level): the
///   Hamming distance [x != x'], as Optuna's GPSampler does. One length scale per categorical
///   parameter (instead of one per one-hot column) keeps the fit small, and the optimiser of
///   the acquisition moves between choices directly.
/// Pure functions; no state.
#include <Eigen/Dense>
#include <vector>

namespace rungs {

enum class GpFeature { Numeric, Categorical };

/// The encoded value of an inactive parameter.
inline constexpr double kInactive = -1.0;

/// d_j(a, b) above.
double gp_sq_distance(GpFeature kind, double a, double b);

/// m(r) as a function of r^2, and its derivative with respect to r^2 (finite at 0).
double matern52(double r2);
double matern52_d_r2(double r2);

struct GpKernelParams {
  Eigen::VectorXd inv_sq_lengthscales;  ///< w_j, one per feature
  double scale = 1.0;                   ///< signal variance
  double noise = 1e-2;                  ///< noise variance (of the standardized outputs)
};

/// r^2 between two encoded points (rows).
double gp_r2(const std::vector<GpFeature>& kinds, const Eigen::VectorXd& w, const double* a,
             const double* b);

/// K(A, B) without noise: |A| x |B|, rows of A and B are encoded points.
Eigen::MatrixXd gp_kernel(const std::vector<GpFeature>& kinds, const GpKernelParams& params,
                          const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);

/// The per-feature squared distances of every pair of rows of X: D[j](p, q) = d_j(x_pj, x_qj).
/// The marginal likelihood's gradient needs them for every fit step, so they are computed once.
std::vector<Eigen::MatrixXd> gp_pairwise_distances(const std::vector<GpFeature>& kinds,
                                                   const Eigen::MatrixXd& x);

}  // namespace rungs
