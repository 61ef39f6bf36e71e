#pragma once
/// Uniform random search. Each trial's parameters come from an RNG seeded by (study seed,
/// trial id), so the sequence is reproducible and needs no saved state to resume.
#include <cstdint>

#include "samplers/sampler.h"
#include "study/seed.h"

namespace rungs {

class RandomSampler final : public Sampler {
 public:
  RandomSampler(const SearchSpace& space, std::uint64_t seed) : space_(space), seed_(seed) {}
  std::optional<Params> suggest(int trial_id, const std::vector<TrialRecord>& trials) override;

 private:
  SearchSpace space_;
  std::uint64_t seed_;
};

/// Samples every active parameter of `space` in order with unit draws from `next_unit`
/// (values in [0, 1)). Shared by samplers that differ only in where the draws come from.
template <typename NextUnit>
Params sample_space(const SearchSpace& space, NextUnit&& next_unit) {
  Params params;
  for (const auto& spec : space.params()) {
    const double u = next_unit();
    if (space.is_active(spec, params)) params[spec.name] = spec.from_unit(u);
  }
  return params;
}

}  // namespace rungs
