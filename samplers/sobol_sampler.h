#pragma once
/// Quasi-random search with a scrambled Sobol sequence: Boost's Sobol engine (Joe and Kuo
/// direction numbers), scrambled as SciPy's qmc.Sobol does, by a random lower-triangular
/// binary matrix per dimension plus a random digital shift, both drawn from the seed.
/// Trial i gets point i of the sequence (point 0 included), one dimension per parameter in
/// order; inactive parameters use up their dimension and are dropped, as in `random`. So
/// the first 2^k trials form a (t, k, s)-net, cover the space more evenly than random
/// points, and no state is needed to resume.
#include <array>
#include <cstdint>
#include <vector>

#include "samplers/sampler.h"

namespace rungs {

class SobolSampler final : public Sampler {
 public:
  SobolSampler(const SearchSpace& space, std::uint64_t seed, bool scramble = true);
  std::optional<Params> suggest(int trial_id, const std::vector<TrialRecord>& trials) override;
  /// Point `index` of the (scrambled) sequence, one value in [0, 1) per parameter.
  std::vector<double> point(std::uint64_t index) const;

 private:
  SearchSpace space_;
  bool scramble_;
  std::vector<std::array<std::uint64_t, 64>> rows_;  // per dimension: row masks by output bit
  std::vector<std::uint64_t> shifts_;
};

}  // namespace rungs
