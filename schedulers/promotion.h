#pragma once
/// The maths of successive halving's promotions: who among the results recorded at a rung
/// may go on. Pure functions, plus RungCutoff, which answers the same question
/// incrementally (O(log n) to record, O(1) to ask) for studies of 10^5 trials.
///
/// A "score" is a value oriented so that higher is better (the value when maximizing, its
/// negation when minimizing). NaN results are never recorded and never promoted.
#include <functional>
#include <queue>
#include <vector>

#include "study/trial.h"

namespace rungs {

double score_of(double value, Direction direction);

/// How many of the `n` results recorded at a rung are in its top 1/eta: floor(n / eta), and
/// at least one when `at_least_one` and n > 0.
int promotion_quota(int n, int reduction_factor, bool at_least_one);

/// The stop-based ASHA rule, as in Optuna's SuccessiveHalvingPruner: a trial reporting
/// `value` at a rung where `recorded` holds the results recorded there before it goes on iff
/// fewer than max(1, floor(n / eta)) of the n = |recorded| + 1 results, its own included, are
/// strictly better than its own. So the first arrival at a rung always goes on, each of the
/// next eta - 1 goes on only if it is the best so far, and ties favour the trial. A NaN
/// value never goes on; NaNs in `recorded` are ignored.
bool is_promotable(double value, const std::vector<double>& recorded, int reduction_factor,
                   Direction direction);

/// The scores recorded at one rung, split into the rung's top quota (a min-heap) and the
/// rest (a max-heap), so that "is this score in the top quota" is one comparison.
class RungCutoff {
 public:
  /// `at_least_one`: the quota is max(1, floor(n / eta)) (stop-based ASHA) rather than
  /// floor(n / eta) (promotion-based ASHA and synchronous successive halving).
  RungCutoff(int reduction_factor, bool at_least_one);

  /// Records one more result. `score` must not be NaN.
  void record(double score);
  int count() const { return static_cast<int>(top_.size() + rest_.size()); }
  int quota() const { return static_cast<int>(top_.size()); }
  /// True when fewer than quota() recorded scores are strictly better than `score`, i.e.
  /// `score` is at least the worst score of the top quota. False when the quota is 0.
  bool admits(double score) const { return !top_.empty() && score >= top_.top(); }

 private:
  int reduction_factor_;
  bool at_least_one_;
  std::priority_queue<double, std::vector<double>, std::greater<double>> top_;
  std::priority_queue<double> rest_;
};

}  // namespace rungs
