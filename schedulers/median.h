#pragma once
/// The median stopping rule (Golovin et al., "Google Vizier", KDD 2017): after epoch t a
/// trial stops when its best value so far is strictly worse than the median of the other
/// trials' running averages at epoch t (the mean of their first t values). "Other trials"
/// are all those that reported epoch t before it, whatever they became since (running,
/// stopped, completed or failed); NaN running averages are left out.
///
/// Options: grace_period (default 1: no trial stops before it ran this many epochs),
/// min_trials (default 3: the rule applies at epoch t once at least this many other trials
/// reported epoch t). Every trial is started with the study's budget.epochs. The state is
/// the running averages seen at each epoch, a function of the curves alone; a trial counts
/// once per epoch (a trial restarted from an older checkpoint reports some epochs again).
#include <functional>
#include <memory>
#include <queue>
#include <unordered_map>
#include <vector>

#include "schedulers/scheduler.h"

namespace rungs {

/// True when a trial whose best value so far is `best_so_far` must stop against `median`:
/// it is strictly worse. A NaN best always stops; a NaN median never stops anyone.
bool median_rule_stops(double best_so_far, double median, Direction direction);

/// The median of a multiset that only grows: two heaps, O(log n) to add, O(1) to ask.
/// With an even count, the mean of the two middle values.
class RunningMedian {
 public:
  void add(double value);
  int count() const { return static_cast<int>(low_.size() + high_.size()); }
  /// NaN when empty.
  double median() const;

 private:
  std::priority_queue<double> low_;                                             ///< lower half
  std::priority_queue<double, std::vector<double>, std::greater<double>> high_;  ///< upper half
};

class MedianStoppingScheduler final : public Scheduler {
 public:
  MedianStoppingScheduler(int max_epochs, int grace_period, int min_trials, Direction direction);
  static std::unique_ptr<Scheduler> from_options(const AlgorithmOptions& options, int max_epochs,
                                                 Direction direction);

  NextAction next(const SchedulerView& view) override;
  Verdict on_report(const TrialRecord& trial, const std::vector<TrialRecord>& trials) override;
  void rebuild(const std::vector<TrialRecord>& trials) override;
  bool add_prior(const std::vector<TrialRecord>& prior) override;

  /// The median of the running averages recorded at `epoch` (NaN when none).
  double median_at(int epoch) const;
  int count_at(int epoch) const;

 private:
  RunningMedian& at(int epoch);
  /// Records every running average of `trial`'s curve, as its reports did.
  void add_curve(const TrialRecord& trial);

  int max_epochs_;
  int grace_period_;
  int min_trials_;
  Direction direction_;
  std::vector<RunningMedian> by_epoch_;  ///< index: epoch (1-based)
  std::unordered_map<int, int> counted_;  ///< trial -> last epoch it counts at
  std::vector<TrialRecord> prior_;
};

}  // namespace rungs
