#pragma once
/// NSGA-II (Deb et al. 2002) for several objectives, as Optuna 3.1's NSGAIISampler runs it
/// and asynchronously: trial k belongs to generation k / population. Generation 0 is random
/// search. A trial of generation g > 0 is a child of two parents from the elite of every
/// trial of earlier generations that has all its objectives (non-dominated fronts, filled in
/// rank order, the last one by crowding distance; constraints by Deb's rule, feasible
/// first): each parent is the winner of a binary tournament (lower rank, then larger
/// crowding distance); with crossover_prob the child takes each parameter from the second
/// parent with swapping_prob (uniform crossover), else it copies the first; then each
/// parameter is redrawn at random with mutation_prob (default 1 / the number of
/// parameters). Fewer than two such trials: random. A conditional parameter a parent lacks
/// comes from the other parent, else at random. A child equal to a trial already run or
/// running has one parameter after another redrawn until it is new (16 tries). Every draw comes from an RNG seeded by
/// (seed, trial id) and everything else from the trials, so there is no state to save.
#include <cstdint>
#include <optional>
#include <vector>

#include "samplers/sampler.h"
#include "study/pareto.h"

namespace rungs {

struct NsgaIIOptions {
  int population = 50;
  double crossover_prob = 0.9;
  double swapping_prob = 0.5;
  std::optional<double> mutation_prob;  ///< nullopt: 1 / the number of parameters

  /// Reads and validates the options of `sampler: {name: nsga2, ...}` (not finish()).
  static NsgaIIOptions from(const AlgorithmOptions& options);
};

class NsgaIISampler final : public Sampler {
 public:
  NsgaIISampler(const SearchSpace& space, MultiObjective objectives, std::uint64_t seed,
                const NsgaIIOptions& options = {});
  std::optional<Params> suggest(int trial_id, const std::vector<TrialRecord>& trials) override;

 private:
  /// The parent population for generation `generation`: indices into `trials`.
  std::vector<std::size_t> elite(const std::vector<TrialRecord>& trials, int generation,
                                 std::vector<int>& rank, std::vector<double>& crowding) const;

  SearchSpace space_;
  MultiObjective objectives_;
  std::uint64_t seed_;
  NsgaIIOptions options_;
};

}  // namespace rungs
