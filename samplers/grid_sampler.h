#pragma once
/// Grid search: every combination of the parameters' grid values, each exactly once, in an
/// order shuffled by the seed; then suggest() returns nullopt and the study stops starting
/// trials. Trial i gets combination i of that order, so no state is needed to resume.
/// A parameter's grid values are its `grid:` list; without one, a categorical parameter's
/// choices, or a stepped (int, or float with step) parameter's values when there are at
/// most kMaxImplicitValues of them. Conditional parameters count only where they are active:
/// `momentum` with 3 values under `optimizer: [sgd, adam]` active for sgd gives 3 + 1
/// combinations, not 6.
#include <cstdint>
#include <string>
#include <vector>

#include "samplers/sampler.h"

namespace rungs {

class GridSampler final : public Sampler {
 public:
  static constexpr std::size_t kMaxImplicitValues = 100;
  static constexpr std::size_t kMaxCombinations = 1000000;

  /// `where` is the sampler's "FILE: FIELD" (AlgorithmOptions::where()); ConfigError when a
  /// parameter has no grid values or there are more than kMaxCombinations combinations.
  GridSampler(const SearchSpace& space, std::uint64_t seed, const std::string& where);
  std::optional<Params> suggest(int trial_id, const std::vector<TrialRecord>& trials) override;
  /// Number of combinations.
  std::size_t size() const { return order_.size(); }

 private:
  void enumerate(std::size_t p, Params& chosen, std::vector<std::int32_t>& index);
  [[noreturn]] void too_many() const;

  SearchSpace space_;
  std::string where_;
  std::vector<std::vector<ParamValue>> values_;  // per parameter
  std::vector<std::int32_t> combinations_;  // size() rows of one index per parameter; -1 inactive
  std::size_t n_combinations_ = 0;
  std::vector<std::uint32_t> order_;
};

/// The grid values of each parameter of `space` (see GridSampler); ConfigError naming the
/// parameter ("FILE: search_space.NAME: ...") for one that has none. `file` prefixes messages.
std::vector<std::vector<ParamValue>> grid_values(const SearchSpace& space, const std::string& file);

}  // namespace rungs
