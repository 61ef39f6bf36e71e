#include "samplers/gp_sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "samplers/gp_acquisition.h"
#include "samplers/gp_model.h"
#include "samplers/random_sampler.h"
#include "samplers/sobol_sampler.h"
#include "study/seed.h"

namespace rungs {

namespace {

/// What the model learns from the trials: observed points with their values (maximised)
/// and the points of running trials.
struct GpHistory {
  std::vector<const Params*> observed;
  std::vector<double> values;
  std::vector<const Params*> pending;
};

GpHistory history_of(const std::vector<TrialRecord>& trials, Direction direction, bool liar) {
  GpHistory h;
  for (const auto& t : trials) {
    if (t.status == TrialStatus::Running) {
      if (liar) h.pending.push_back(&t.params);
      continue;
    }
    if (t.status == TrialStatus::Failed || t.curve.empty()) continue;
    const double v = t.curve.back().value;
    if (!std::isfinite(v)) continue;
    h.observed.push_back(&t.params);
    h.values.push_back(direction == Direction::Maximize ? v : -v);
  }
  return h;
}

/// Keeps at most `cap` observations: the best cap/2 and the most recent others.
void cap_history(GpHistory& h, std::size_t cap) {
  const std::size_t n = h.observed.size();
  if (n <= cap) return;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return h.values[a] > h.values[b]; });
  std::vector<bool> keep(n, false);
  for (std::size_t i = 0; i < cap / 2; ++i) keep[order[i]] = true;
  std::size_t kept = cap / 2;
  for (std::size_t i = n; i-- > 0 && kept < cap;) {
    if (!keep[i]) keep[i] = true, ++kept;
  }
  GpHistory out;
  out.pending = std::move(h.pending);
  for (std::size_t i = 0; i < n; ++i) {
    if (!keep[i]) continue;
    out.observed.push_back(h.observed[i]);
    out.values.push_back(h.values[i]);
  }
  h = std::move(out);
}

/// Option `key` as an int in [low, high], "must be in [low, high]" otherwise.
int bounded_int(const AlgorithmOptions& o, const std::string& key, int fallback, int low, int high) {
  const long long v = o.get_int(key, fallback);
  if (v < low || v > high) {
    o.fail(key, "must be in [" + std::to_string(low) + ", " + std::to_string(high) + "]");
  }
  return static_cast<int>(v);
}

}  // namespace

GpOptions GpOptions::from(const AlgorithmOptions& o) {
  GpOptions g;
  g.n_startup_trials = bounded_int(o, "n_startup_trials", g.n_startup_trials, 1, 1000000000);
  g.startup = o.get_string("startup", g.startup);
  if (g.startup != "sobol" && g.startup != "random") o.fail("startup", "must be sobol or random");
  g.n_candidates = bounded_int(o, "n_candidates", g.n_candidates, 1, 1000000);
  g.n_local_search = bounded_int(o, "n_local_search", g.n_local_search, 0, 1000);
  g.max_observations = bounded_int(o, "max_observations", g.max_observations, 2, 100000);
  g.constant_liar = o.get_bool("constant_liar", g.constant_liar);
  return g;
}

GpSampler::GpSampler(const SearchSpace& space, Direction direction, std::uint64_t seed,
                     const GpOptions& options)
    : space_(space), direction_(direction), seed_(seed), options_(options) {
  if (options_.startup == "sobol") {
    startup_ = std::make_unique<SobolSampler>(space, seed);
  } else {
    startup_ = std::make_unique<RandomSampler>(space, seed);
  }
}

std::optional<Params> GpSampler::suggest(int trial_id, const std::vector<TrialRecord>& trials) {
  GpHistory h = history_of(trials, direction_, options_.constant_liar);
  if (h.observed.size() < static_cast<std::size_t>(options_.n_startup_trials) ||
      space_.n_features() == 0) {
    return startup_->suggest(trial_id, trials);
  }
  cap_history(h, static_cast<std::size_t>(options_.max_observations));
  const Eigen::Map<const Eigen::VectorXd> raw(h.values.data(), static_cast<Eigen::Index>(h.values.size()));
  const double mean = raw.mean();
  const double sd = std::sqrt((raw.array() - mean).square().mean());
  const Eigen::VectorXd y = (raw.array() - mean) / (sd > 0 ? sd : 1.0);
  const Eigen::MatrixXd x = space_.encode(h.observed);
  const GpKernelParams params = gp_fit(space_.kinds(), x, y);

  // Running trials join the posterior (not the fit) with the worst value as their result.
  const auto n_pending = static_cast<Eigen::Index>(h.pending.size());
  Eigen::MatrixXd x_all(x.rows() + n_pending, x.cols());
  Eigen::VectorXd y_all(x_all.rows());
  x_all.topRows(x.rows()) = x;
  y_all.head(y.size()) = y;
  if (n_pending > 0) {
    x_all.bottomRows(n_pending) = space_.encode(h.pending);
    y_all.tail(n_pending).setConstant(y.minCoeff());
  }
  const GpPosterior posterior(space_.kinds(), params, x_all, y_all);
  const double best = y.maxCoeff();
  const GpScore log_ei = [&](const Eigen::MatrixXd& points) {
    Eigen::VectorXd mu, var;
    posterior.predict(points, mu, var);
    Eigen::VectorXd out(points.rows());
    for (Eigen::Index i = 0; i < out.size(); ++i) out[i] = gp_log_ei(mu[i], var[i], best);
    return out;
  };

  std::mt19937_64 rng(derive_seed(seed_, static_cast<std::uint64_t>(trial_id)));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> fill(space_.space().size());
  for (auto& v : fill) v = unit(rng);
  // The local search also starts from the best observed point.
  const auto best_at = static_cast<std::size_t>(std::max_element(h.values.begin(), h.values.end()) - h.values.begin());
  const std::vector<std::vector<double>> starts = {space_.unit_of(*h.observed[best_at], fill)};
  GpSearchSettings search;
  search.n_candidates = options_.n_candidates;
  search.n_local = options_.n_local_search;
  return space_.decode(gp_maximize(space_, log_ei, starts, search, rng));
}

}  // namespace rungs
