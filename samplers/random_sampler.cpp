#include "samplers/random_sampler.h"

#include <random>

namespace rungs {

std::optional<Params> RandomSampler::suggest(int trial_id, const std::vector<TrialRecord>&) {
  std::mt19937_64 rng(derive_seed(seed_, static_cast<std::uint64_t>(trial_id)));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  // Draw for inactive parameters too, so that a parameter's value does not depend on
  // whether an earlier conditional one happened to be active.
  return sample_space(space_, [&] { return unit(rng); });
}

}  // namespace rungs
