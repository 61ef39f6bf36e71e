#pragma once
/// Bayesian optimisation with a Gaussian process, for small budgets (tens to a few hundred
/// trials). Until n_startup_trials trials have results it suggests what `sobol` (or, with
/// `startup: random`, `random`) would for the same trial. Then, for each suggestion:
/// - observations: every completed, stopped or paused trial with a finite result, its last
///   value (negated when minimising, so the model always maximises), standardized; at most
///   max_observations of them (the best half of that cap and the most recent rest);
/// - the kernel (gp_kernel.h: Matern-5/2, one length scale per parameter, Hamming distance
///   for categorical ones, fixed value plus indicator for inactive ones) is fitted by
///   maximising the log marginal likelihood with priors (gp_model.h);
/// - running trials (workers busy) are added to the posterior with a constant liar, the
///   worst value observed, so idle workers asking together are sent to different places;
/// - the point maximising log expected improvement (gp_acquisition.h) over the mixed space
///   (gp_search.h) is suggested.
/// Each suggestion draws from an RNG seeded by (seed, trial id), and everything else comes
/// from the trials (the fit starts from the same point every time), so the saved state is
/// empty and a resumed study suggests what the original would have.
#include <cstdint>
#include <string>

#include "samplers/gp_search.h"
#include "samplers/gp_space.h"
#include "samplers/sampler.h"

namespace rungs {

struct GpOptions {
  int n_startup_trials = 10;
  std::string startup = "sobol";  ///< sobol or random
  int n_candidates = 1024;        ///< random points scored before the local search
  int n_local_search = 4;         ///< best points the local search starts from
  int max_observations = 300;     ///< cap on the trials the model is fitted to
  bool constant_liar = true;

  /// Reads and validates the options of `sampler: {name: gp, ...}` (not finish()).
  static GpOptions from(const AlgorithmOptions& options);
};

class GpSampler final : public Sampler {
 public:
  GpSampler(const SearchSpace& space, Direction direction, std::uint64_t seed,
            const GpOptions& options = {});
  std::optional<Params> suggest(int trial_id, const std::vector<TrialRecord>& trials) override;

 private:
  GpSpace space_;
  Direction direction_;
  std::uint64_t seed_;
  GpOptions options_;
  std::unique_ptr<Sampler> startup_;
};

}  // namespace rungs
