#pragma once
/// Samplers decide what to try next. Contract:
/// - Owned and called only by the coordinator on rank 0, from one thread. A sampler never
///   touches MPI, files or clocks; everything it knows comes through these calls.
/// - suggest() is given every trial so far in id order (running ones included, with the
///   epochs they reported so far), so a sampler may be stateless apart from its RNG.
/// - Determinism: same seed, same space, same sequence of calls -> same suggestions.
/// - save_state()/load_state() carry what cannot be rebuilt from the trials (RNG position),
///   so a resumed study continues the same sequence.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "study/options.h"
#include "study/param.h"
#include "study/pareto.h"
#include "study/search_space.h"
#include "study/trial.h"

namespace rungs {

class Sampler {
 public:
  virtual ~Sampler() = default;
  /// Parameters for the new trial `trial_id`: exactly the active parameters, each in its
  /// domain. nullopt when the sampler has nothing left to propose (an exhausted grid).
  virtual std::optional<Params> suggest(int trial_id, const std::vector<TrialRecord>& trials) = 0;
  /// A trial reported an epoch or ended; the default does nothing.
  virtual void on_report(const TrialRecord& /*trial*/) {}
  virtual void on_trial_end(const TrialRecord& /*trial*/) {}

  virtual std::string save_state() const { return {}; }
  virtual void load_state(const std::string& /*state*/) {}
};

/// Builds the sampler named in `options`: random, grid, sobol, tpe, gp or nsga2 (see their headers and
/// docs/samplers.md). Validates its options (ConfigError naming the field and value) and rejects
/// unknown ones.
/// `multi`: the objectives and constraints, which nsga2 needs (make_study_sampler gives the
/// study's, or its one objective.metric).
std::unique_ptr<Sampler> make_sampler(const AlgorithmOptions& options, const SearchSpace& space,
                                      Direction direction, std::uint64_t seed,
                                      const MultiObjective& multi = {});

}  // namespace rungs
