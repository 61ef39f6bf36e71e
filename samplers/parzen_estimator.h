#pragma once
/// Optuna's Parzen estimator (optuna/samplers/_tpe/parzen_estimator.py, v3.1): a weighted
/// mixture of one kernel per observation plus one prior kernel (the last component), over one
/// parameter (univariate TPE) or a group of parameters (multivariate TPE, product kernels).
/// Numeric parameters get normal kernels truncated to the domain (cell masses when stepped),
/// categorical ones a one-hot row smoothed by the prior. Everything is in internal space
/// (parzen_domain.h).
///
/// Kernel heights are Optuna 3.1's: phi((x - mu) / sigma) / Z, where Z is the kernel's mass
/// inside the domain. That is not a normalised density (it leaves out 1/sigma; Optuna 3.5
/// added it, optuna#5109), so wide kernels weigh more than their share. We keep 3.1's form on
/// purpose: it is what users compare with, and on our benchmarks (bench/samplers, 100 seeds)
/// it finds better values than the normalised form on Hartmann-6, Rosenbrock-10 and Ackley-10
/// and the same on Branin and Styblinski-Tang. This is the exact, direct form: building is O(n log
/// n) and log_pdf is O(points * n * d); above_density.h keeps the same mixture incrementally for
/// large n.
#include <cstddef>
#include <vector>

#include "samplers/parzen_domain.h"

namespace rungs {

struct ParzenSettings {
  double prior_weight = 1.0;
  bool consider_magic_clip = true;  ///< floor the bandwidths at range / min(100, n + 2)
  bool consider_endpoints = false;  ///< let the domain's ends widen the outermost kernels
  bool multivariate = false;        ///< Scott's rule bandwidths instead of neighbour gaps
};

/// Optuna's default_weights: 1 for each of the last 25 observations, and for older ones a
/// ramp rising linearly from 1/n, in chronological order.
std::vector<double> default_weights(std::size_t n);
/// Optuna's default_gamma generalised: how many of n observations form the "below" (good)
/// group, min(ceil(fraction * n), cap).
std::size_t below_count(std::size_t n, double fraction, std::size_t cap);
/// The smallest bandwidth the magic clip allows for `n_mus` kernels (prior included).
double min_sigma(std::size_t n_mus, double low, double high, const ParzenSettings& settings);
/// Univariate bandwidths: for each kernel the larger gap to its neighbours in sorted order
/// (ties broken by position), the outermost ones by their inner gap unless
/// consider_endpoints, clipped to [min_sigma, high - low]. `mus` ends with the prior's mean,
/// whose bandwidth is always high - low.
std::vector<double> univariate_sigmas(const std::vector<double>& mus, double low, double high,
                                      const ParzenSettings& settings);
/// Multivariate bandwidth as a fraction of the range: 0.2 * n^(-1 / (d + 4)) (Scott's rule).
double multivariate_sigma0(std::size_t n_observations, std::size_t n_params);

class ParzenEstimator {
 public:
  /// `observations` holds n rows of domains.size() internal values (row-major), oldest
  /// first; `weights` the n unnormalised observation weights (usually default_weights(n)).
  ParzenEstimator(std::vector<ParzenDomain> domains, const std::vector<double>& observations,
                  const std::vector<double>& weights, const ParzenSettings& settings);

  std::size_t dims() const { return domains_.size(); }
  /// Observations + 1: the prior is the last component.
  std::size_t n_components() const { return weights_.size(); }
  /// Normalised component weights, prior last.
  const std::vector<double>& weights() const { return weights_; }
  const std::vector<double>& mus(std::size_t dim) const { return dims_[dim].mus; }
  const std::vector<double>& sigmas(std::size_t dim) const { return dims_[dim].sigmas; }
  /// Probability that component `component` gives choice `choice` (categorical dims).
  double categorical_weight(std::size_t component, std::size_t dim, std::size_t choice) const;

  /// `count` draws, row-major count x dims(), each the internal value of a valid value.
  std::vector<double> sample(Rng& rng, std::size_t count) const;
  /// The log density (log mass for stepped and categorical dims) at `count` points.
  void log_pdf(const double* points, std::size_t count, double* out) const;

 private:
  struct Dim {
    ParzenDomain domain;
    std::vector<double> mus, sigmas;
    std::vector<double> log_norm;  ///< numeric: log of each kernel's normaliser
    std::vector<double> log_mass;  ///< numeric: log of each kernel's mass inside [low, high]
    std::vector<int> choice;       ///< categorical: observed choice, -1 for the prior
    double log_base = 0.0, log_hit = 0.0, log_uniform = 0.0;  ///< categorical row entries
  };
  double log_kernel(const Dim& dim, std::size_t component, double x) const;

  std::vector<ParzenDomain> domains_;
  std::vector<double> weights_, log_weights_, cumulative_;
  std::vector<Dim> dims_;
};

}  // namespace rungs
