#include "samplers/tpe_sampler.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "samplers/random_sampler.h"
#include "study/seed.h"

namespace rungs {

namespace {

// A parameter's activation as a key: parameters with the same key are always active together.
std::string condition_key(const SearchSpace& space, const ParamSpec& spec) {
  std::string key;
  for (const ParamSpec* s = &spec; s && s->when; s = space.find(s->when->parent)) {
    key += s->when->parent + "=";
    for (const auto& v : s->when->values) key += to_string(v) + "|";
    key += ";";
  }
  return key;
}

}  // namespace

TpeOptions TpeOptions::from(const AlgorithmOptions& o) {
  TpeOptions t;
  const long long startup = o.get_int("n_startup_trials", t.n_startup_trials);
  if (startup < 0 || startup > 1000000000) o.fail("n_startup_trials", "must be >= 0");
  t.n_startup_trials = static_cast<int>(startup);
  const long long candidates = o.get_int("n_ei_candidates", t.n_ei_candidates);
  if (candidates < 1 || candidates > 1000000) o.fail("n_ei_candidates", "must be in [1, 1000000]");
  t.n_ei_candidates = static_cast<int>(candidates);
  t.gamma = o.get_double("gamma", t.gamma);
  if (!(t.gamma > 0.0 && t.gamma <= 1.0)) o.fail("gamma", "must be in (0, 1]");
  const long long gamma_max = o.get_int("gamma_max", t.gamma_max);
  if (gamma_max < 1 || gamma_max > 1000000000) o.fail("gamma_max", "must be >= 1");
  t.gamma_max = static_cast<int>(gamma_max);
  t.prior_weight = o.get_double("prior_weight", t.prior_weight);
  if (!(t.prior_weight > 0.0) || !std::isfinite(t.prior_weight))
    o.fail("prior_weight", "must be > 0");
  t.consider_magic_clip = o.get_bool("consider_magic_clip", t.consider_magic_clip);
  t.consider_endpoints = o.get_bool("consider_endpoints", t.consider_endpoints);
  t.multivariate = o.get_bool("multivariate", t.multivariate);
  t.constant_liar = o.get_bool("constant_liar", t.constant_liar);
  const std::string split =
      o.get_string("split", t.per_parameter_split ? "per_parameter" : "global");
  if (split != "global" && split != "per_parameter")
    o.fail("split", "must be global or per_parameter");
  t.per_parameter_split = split == "per_parameter";
  return t;
}

TpeSampler::TpeSampler(const SearchSpace& space, Direction direction, std::uint64_t seed,
                       const TpeOptions& options)
    : space_(space), direction_(direction), seed_(seed), options_(options) {
  parzen_.prior_weight = options_.prior_weight;
  parzen_.consider_magic_clip = options_.consider_magic_clip;
  parzen_.consider_endpoints = options_.consider_endpoints;
  const auto& specs = space_.params();
  std::map<std::string, std::size_t> group_of_key;
  for (std::size_t p = 0; p < specs.size(); ++p) {
    domains_.push_back(is_single_valued(specs[p]) ? ParzenDomain{} : parzen_domain(specs[p]));
    if (is_single_valued(specs[p])) continue;
    if (!options_.multivariate) {
      groups_.push_back({p});
      continue;
    }
    const auto [it, added] = group_of_key.emplace(condition_key(space_, specs[p]), groups_.size());
    if (added) groups_.emplace_back();
    groups_[it->second].push_back(p);
  }
  TpeGroupSettings group;
  group.gamma = options_.gamma;
  group.gamma_max = static_cast<std::size_t>(options_.gamma_max);
  group.constant_liar = options_.constant_liar;
  group.per_parameter = options_.per_parameter_split;
  history_ = std::make_unique<TpeHistory>(space_, direction_, parzen_, group);
}

std::optional<Params> TpeSampler::suggest(int trial_id, const std::vector<TrialRecord>& trials) {
  history_->sync(trials);
  const std::uint64_t seed = derive_seed(seed_, static_cast<std::uint64_t>(trial_id));
  if (history_->n_observed() < static_cast<std::size_t>(options_.n_startup_trials)) {
    // Exactly what `random` suggests for this trial.
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    return sample_space(space_, [&] { return unit(rng); });
  }
  Rng rng(seed);
  Params params;
  const auto& specs = space_.params();
  for (std::size_t p = 0; p < specs.size(); ++p) {
    const ParamSpec& spec = specs[p];
    if (params.count(spec.name) || !space_.is_active(spec, params)) continue;
    if (is_single_valued(spec)) {
      params[spec.name] = spec.from_unit(0.5);
      continue;
    }
    // Parameters sharing a group share the condition, so they are all active here.
    const auto group =
        std::find_if(groups_.begin(), groups_.end(),
                     [&](const std::vector<std::size_t>& g) { return g.front() == p; });
    sample_group(*group, rng, params);
  }
  return params;
}

void TpeSampler::sample_group(const std::vector<std::size_t>& group, Rng& rng, Params& params) {
  const std::size_t d = group.size();
  std::vector<ParzenDomain> domains;
  for (const std::size_t p : group) domains.push_back(domains_[p]);
  auto row_of = [&](int trial, std::vector<double>& rows) {
    const std::size_t at = rows.size();
    for (const std::size_t p : group) {
      const double v = history_->value(trial, p);
      if (std::isnan(v)) {
        rows.resize(at);
        return;
      }
      rows.push_back(v);
    }
  };
  std::vector<double> below;
  for (const int t : history_->below(group.front())) row_of(t, below);
  ParzenSettings settings = parzen_;
  settings.multivariate = options_.multivariate;
  const std::size_t n_below = below.size() / d;
  const ParzenEstimator l(domains, below, default_weights(n_below), settings);

  const auto n = static_cast<std::size_t>(options_.n_ei_candidates);
  const std::vector<double> candidates = l.sample(rng, n);
  std::vector<double> log_l(n), log_g(n);
  l.log_pdf(candidates.data(), n, log_l.data());
  if (!options_.multivariate) {
    history_->above(group.front()).log_pdf(candidates.data(), n, log_g.data());
  } else {
    std::vector<double> above;
    for (const auto& [trial, value] : history_->above(group.front()).members())
      row_of(trial, above);
    const ParzenEstimator g(domains, above, default_weights(above.size() / d), settings);
    g.log_pdf(candidates.data(), n, log_g.data());
  }
  std::size_t best = 0;
  for (std::size_t s = 1; s < n; ++s) {
    if (log_l[s] - log_g[s] > log_l[best] - log_g[best]) best = s;
  }
  const auto& specs = space_.params();
  for (std::size_t j = 0; j < d; ++j) {
    params[specs[group[j]].name] = from_internal(specs[group[j]], candidates[best * d + j]);
  }
}

}  // namespace rungs
