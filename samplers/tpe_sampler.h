#pragma once
/// Tree-structured Parzen Estimator (Bergstra et al. 2011) as Optuna 3.1's TPESampler does it.
/// Until n_startup_trials trials have results it suggests exactly what `random` would. Then,
/// for each active parameter in order (or each group of parameters that are active
/// together, when multivariate), it splits the observations into the best gamma(n)
/// ("below", l) and the rest ("above", g), fits a Parzen estimator to each over the trials
/// where the parameter is active, draws n_ei_candidates from l and keeps the one that
/// maximises log l(x) - log g(x). Differences from Optuna 3.1, all deliberate:
/// - a conditional parameter's below group is ranked among the trials where it is active
///   (`split: per_parameter`, tpe_history.h), not taken from one global split;
/// - constant_liar defaults to true, and running trials with results count as pruned ones
///   (tpe_observations.h);
/// - multivariate always decomposes conditional spaces into groups of parameters that are
///   active together (Optuna's group=True).
/// Each suggestion draws from an RNG seeded by (seed, trial id), and everything else comes
/// from the trials, so suggestions are reproducible and the saved state is empty.
#include <cstdint>
#include <memory>
#include <vector>

#include "samplers/sampler.h"
#include "samplers/tpe_history.h"

namespace rungs {

struct TpeOptions {
  int n_startup_trials = 10;
  int n_ei_candidates = 24;
  double gamma = 0.1;  ///< below group: min(ceil(gamma * n), gamma_max) trials
  int gamma_max = 25;
  double prior_weight = 1.0;
  bool consider_magic_clip = true;
  bool consider_endpoints = false;
  bool multivariate = false;
  bool constant_liar = true;
  /// `split: per_parameter` (the default): a conditional parameter's below group is the best
  /// gamma(n_p) of the n_p observations where it is active (tpe_history.h); `split: global`
  /// is Optuna 3.1's single split over all observations.
  bool per_parameter_split = true;

  /// Reads and validates the options of `sampler: {name: tpe, ...}` (not finish()).
  static TpeOptions from(const AlgorithmOptions& options);
};

class TpeSampler final : public Sampler {
 public:
  TpeSampler(const SearchSpace& space, Direction direction, std::uint64_t seed,
             const TpeOptions& options = {});
  TpeSampler(const TpeSampler&) = delete;  // history_ points into space_
  TpeSampler& operator=(const TpeSampler&) = delete;
  std::optional<Params> suggest(int trial_id, const std::vector<TrialRecord>& trials) override;

 private:
  /// Samples the parameters `group` (indices into the space, all active) jointly.
  void sample_group(const std::vector<std::size_t>& group, Rng& rng, Params& params);

  SearchSpace space_;
  Direction direction_;
  std::uint64_t seed_;
  TpeOptions options_;
  ParzenSettings parzen_;
  std::vector<ParzenDomain> domains_;
  /// Independent: one parameter per group; multivariate: parameters sharing a condition.
  std::vector<std::vector<std::size_t>> groups_;
  std::unique_ptr<TpeHistory> history_;
};

}  // namespace rungs
