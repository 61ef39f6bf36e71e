#include "samplers/parzen_estimator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "samplers/truncnorm.h"

namespace rungs {

namespace {
constexpr double kEps = 1e-12;
constexpr double kLogSqrt2Pi = 0.91893853320467274178;
}  // namespace

std::vector<double> default_weights(std::size_t n) {
  std::vector<double> w(n, 1.0);
  if (n <= 25) return w;
  // np.linspace(1 / n, 1, n - 25): a single point is the start.
  const std::size_t ramp = n - 25;
  const double start = 1.0 / static_cast<double>(n);
  const double step = ramp > 1 ? (1.0 - start) / static_cast<double>(ramp - 1) : 0.0;
  for (std::size_t i = 0; i < ramp; ++i) w[i] = start + static_cast<double>(i) * step;
  if (ramp > 1) w[ramp - 1] = 1.0;
  return w;
}

std::size_t below_count(std::size_t n, double fraction, std::size_t cap) {
  // As Optuna's int(np.ceil(0.1 * n)), rounding included.
  const auto k = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(n)));
  return std::min(k, cap);
}

double min_sigma(std::size_t n_mus, double low, double high, const ParzenSettings& settings) {
  if (!settings.consider_magic_clip) return kEps;
  return (high - low) / std::min(100.0, 1.0 + static_cast<double>(n_mus));
}

std::vector<double> univariate_sigmas(const std::vector<double>& mus, double low, double high,
                                      const ParzenSettings& settings) {
  const std::size_t n = mus.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return mus[a] < mus[b]; });
  std::vector<double> s(n + 2);
  s[0] = low;
  for (std::size_t i = 0; i < n; ++i) s[i + 1] = mus[order[i]];
  s[n + 1] = high;
  std::vector<double> sorted_sigmas(n);
  for (std::size_t i = 0; i < n; ++i)
    sorted_sigmas[i] = std::max(s[i + 1] - s[i], s[i + 2] - s[i + 1]);
  if (!settings.consider_endpoints && n >= 2) {
    sorted_sigmas[0] = s[2] - s[1];
    sorted_sigmas[n - 1] = s[n] - s[n - 1];
  }
  const double lo = min_sigma(n, low, high, settings);
  const double hi = high - low;
  std::vector<double> sigmas(n);
  for (std::size_t i = 0; i < n; ++i) sigmas[order[i]] = std::clamp(sorted_sigmas[i], lo, hi);
  sigmas[n - 1] = hi;  // the prior
  return sigmas;
}

double multivariate_sigma0(std::size_t n_observations, std::size_t n_params) {
  const double n = static_cast<double>(std::max<std::size_t>(n_observations, 1));
  return 0.2 * std::pow(n, -1.0 / (static_cast<double>(n_params) + 4.0));
}

ParzenEstimator::ParzenEstimator(std::vector<ParzenDomain> domains,
                                 const std::vector<double>& observations,
                                 const std::vector<double>& weights, const ParzenSettings& settings)
    : domains_(std::move(domains)) {
  const std::size_t d = domains_.size();
  const std::size_t n = weights.size();
  weights_.assign(weights.begin(), weights.end());
  weights_.push_back(settings.prior_weight);
  const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
  log_weights_.resize(n + 1);
  cumulative_.resize(n + 1);
  double running = 0.0;
  for (std::size_t i = 0; i <= n; ++i) {
    weights_[i] /= total;
    log_weights_[i] = std::log(weights_[i]);
    running += weights_[i];
    cumulative_[i] = running;
  }

  const double sigma0 = settings.multivariate ? multivariate_sigma0(n, d) : 0.0;
  dims_.resize(d);
  for (std::size_t j = 0; j < d; ++j) {
    Dim& dim = dims_[j];
    dim.domain = domains_[j];
    if (dim.domain.categorical) {
      const double k = static_cast<double>(dim.domain.n_choices);
      const double base = settings.prior_weight / static_cast<double>(n + 1);
      const double row_sum = k * base + 1.0;
      dim.log_base = std::log(base / row_sum);
      dim.log_hit = std::log((base + 1.0) / row_sum);
      dim.log_uniform = -std::log(k);
      dim.choice.resize(n + 1);
      for (std::size_t i = 0; i < n; ++i)
        dim.choice[i] = static_cast<int>(std::llround(observations[i * d + j]));
      dim.choice[n] = -1;
      continue;
    }
    const double low = dim.domain.low, high = dim.domain.high;
    dim.mus.resize(n + 1);
    for (std::size_t i = 0; i < n; ++i) dim.mus[i] = observations[i * d + j];
    dim.mus[n] = 0.5 * (low + high);
    if (settings.multivariate) {
      const double lo = min_sigma(n + 1, low, high, settings);
      dim.sigmas.assign(n + 1, std::clamp(sigma0 * (high - low), lo, high - low));
      dim.sigmas[n] = high - low;
    } else {
      dim.sigmas = univariate_sigmas(dim.mus, low, high, settings);
    }
    dim.log_norm.resize(n + 1);
    dim.log_mass.resize(n + 1);
    for (std::size_t i = 0; i <= n; ++i) {
      const double mu = dim.mus[i], sigma = dim.sigmas[i];
      const double log_mass = truncnorm::log_gauss_mass((low - mu) / sigma, (high - mu) / sigma);
      // Stepped kernels: a cell's mass / Z. Densities as Optuna 3.1 evaluates them:
      // phi(z) / Z, without the 1/sigma of a normalised density (see parzen_estimator.h).
      dim.log_norm[i] = dim.domain.step > 0 ? -log_mass : -kLogSqrt2Pi - log_mass;
      dim.log_mass[i] = log_mass;
    }
  }
}

double ParzenEstimator::categorical_weight(std::size_t component, std::size_t dim,
                                           std::size_t choice) const {
  const Dim& c = dims_.at(dim);
  if (c.choice.at(component) < 0) return std::exp(c.log_uniform);
  return std::exp(static_cast<int>(choice) == c.choice[component] ? c.log_hit : c.log_base);
}

double ParzenEstimator::log_kernel(const Dim& dim, std::size_t i, double x) const {
  if (dim.domain.categorical) {
    if (dim.choice[i] < 0) return dim.log_uniform;
    return static_cast<int>(x) == dim.choice[i] ? dim.log_hit : dim.log_base;
  }
  const double mu = dim.mus[i], sigma = dim.sigmas[i];
  if (dim.domain.step > 0) {
    const double q = dim.domain.step;
    const double lo = std::max(x - 0.5 * q, dim.domain.low),
                 hi = std::min(x + 0.5 * q, dim.domain.high);
    return truncnorm::log_gauss_mass((lo - mu) / sigma, (hi - mu) / sigma) + dim.log_norm[i];
  }
  const double z = (x - mu) / sigma;
  return -0.5 * z * z + dim.log_norm[i];
}

std::vector<double> ParzenEstimator::sample(Rng& rng, std::size_t count) const {
  const std::size_t d = dims();
  // As Optuna: first the component of every draw, then each dimension's draws.
  std::vector<std::size_t> active(count);
  for (auto& a : active) {
    const double u = uniform01(rng);
    a = static_cast<std::size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), u) -
                                 cumulative_.begin());
    a = std::min(a, cumulative_.size() - 1);
  }
  std::vector<double> out(count * d);
  for (std::size_t j = 0; j < d; ++j) {
    const Dim& dim = dims_[j];
    for (std::size_t s = 0; s < count; ++s) {
      const std::size_t i = active[s];
      const double u = uniform01(rng);
      double x;
      if (dim.domain.categorical) {
        const std::size_t k = dim.domain.n_choices;
        std::size_t choice = 0;
        double cum = 0.0;
        for (; choice + 1 < k; ++choice) {
          cum += categorical_weight(i, j, choice);
          if (!(cum < u)) break;
        }
        x = static_cast<double>(choice);
      } else {
        const double mu = dim.mus[i], sigma = dim.sigmas[i];
        const double a = (dim.domain.low - mu) / sigma, b = (dim.domain.high - mu) / sigma;
        x = round_internal(dim.domain, truncnorm::ppf(u, a, b, dim.log_mass[i]) * sigma + mu);
      }
      out[s * d + j] = x;
    }
  }
  return out;
}

void ParzenEstimator::log_pdf(const double* points, std::size_t count, double* out) const {
  const std::size_t d = dims(), n = n_components();
  std::vector<double> terms(n);
  for (std::size_t s = 0; s < count; ++s) {
    const double* x = points + s * d;
    for (std::size_t i = 0; i < n; ++i) terms[i] = log_weights_[i];
    for (std::size_t j = 0; j < d; ++j) {
      const Dim& dim = dims_[j];
      if (!dim.domain.categorical && dim.domain.step == 0) {
        // The hot loop of univariate TPE: keep it free of calls other than exp.
        const double xj = x[j];
        for (std::size_t i = 0; i < n; ++i) {
          const double z = (xj - dim.mus[i]) / dim.sigmas[i];
          terms[i] += -0.5 * z * z + dim.log_norm[i];
        }
      } else {
        for (std::size_t i = 0; i < n; ++i) terms[i] += log_kernel(dim, i, x[j]);
      }
    }
    const double hi = *std::max_element(terms.begin(), terms.end());
    if (hi == -std::numeric_limits<double>::infinity()) {
      out[s] = hi;
      continue;
    }
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      // Terms below e^-60 of the largest change nothing in double precision.
      if (terms[i] > hi - 60.0) sum += std::exp(terms[i] - hi);
    }
    out[s] = hi + std::log(sum);
  }
}

}  // namespace rungs
