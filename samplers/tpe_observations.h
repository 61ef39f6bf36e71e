#pragma once
/// What TPE learns from a trial, as Optuna 3.1 counts it (_get_observation_pairs and
/// _split_observation_pairs in optuna/samplers/_tpe/sampler.py). Pure functions.
///
/// A trial's score is the pair (step key, loss), compared lexicographically; lower is better:
/// - completed: (-inf, loss of its last value);
/// - stopped early (Optuna's pruned), paused, or running with results: (-epoch, loss) at
///   its last reported epoch, so trials that went further rank first and trials at the same
///   epoch rank by value; NaN ranks last among them. A stopped trial with no result: (1, 0);
/// - running with no result yet: the constant liar (+inf, +inf), worse than everything, so
///   its parameters count in the "above" group and idle workers asking at once are steered
///   away from each other; without the constant liar it is not an observation;
/// - failed: not an observation.
/// loss is the value for minimised objectives and minus the value for maximised ones.
/// Optuna ranks running trials that have results as liars; rungs ranks them by their
/// results, like pruned trials (they are what ASHA promotes, and what a fifo study is
/// halfway through).
#include <cstddef>
#include <optional>
#include <vector>

#include "study/trial.h"

namespace rungs {

struct TpeScore {
  double step_key = 0.0;
  double loss = 0.0;

  bool is_liar() const;
  friend bool operator==(const TpeScore& a, const TpeScore& b) {
    return a.step_key == b.step_key && a.loss == b.loss;
  }
};

/// Lexicographic (step_key, loss).
bool ranks_before(const TpeScore& a, const TpeScore& b);

/// The trial's score, or nullopt when TPE does not learn from it.
std::optional<TpeScore> tpe_score(const TrialRecord& trial, Direction direction,
                                  bool constant_liar);

/// Indices of the `n_below` best scores (ties by index: the older trial first), in
/// chronological (index) order: Optuna's "below" group. The rest is "above".
std::vector<std::size_t> split_below(const std::vector<TpeScore>& scores, std::size_t n_below);

}  // namespace rungs
