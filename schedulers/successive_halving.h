#pragma once
/// Synchronous successive halving (Jamieson & Talwalkar 2016; the inner loop of Hyperband):
/// the baseline ASHA improves on. A bracket starts its trials, trains each to rung 0 and
/// pauses it there; once every trial of the rung has reported (or failed), the best
/// max(1, floor(n / eta)) of the n results are resumed to the next rung, and so on up to R.
/// While a rung is incomplete an idle worker is told to Wait: with many workers or uneven
/// trial costs they idle at every rung boundary, and the first trial trained to R comes only
/// after every rung below it has finished.
///
/// Options: min_resource, max_resource, reduction_factor, bracket (as asha) and
/// trials_per_bracket (default 0: the whole trial budget in one bracket; n > 0: brackets of
/// n trials one after the other, the next starting once the previous one is done).
/// Trials that are not promoted stay Paused (they could be resumed if the study grew).
#include <list>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "schedulers/rung_ladder.h"
#include "schedulers/scheduler.h"

namespace rungs {

/// The ids of the best max(1, floor(n / eta)) of `results` (trial id, value), best first,
/// ties to the lower id. Empty when `results` is.
std::vector<int> select_promoted(std::vector<std::pair<int, double>> results, int reduction_factor,
                                 Direction direction);

class SuccessiveHalvingScheduler final : public Scheduler {
 public:
  SuccessiveHalvingScheduler(const LadderSpec& spec, Direction direction, int trials_per_bracket);
  static std::unique_ptr<Scheduler> from_options(const AlgorithmOptions& options, int max_epochs,
                                                 Direction direction);

  NextAction next(const SchedulerView& view) override;
  void on_trial_start(const TrialRecord& trial) override;
  Verdict on_report(const TrialRecord& trial, const std::vector<TrialRecord>& trials) override;
  void on_trial_end(const TrialRecord& trial) override;
  void rebuild(const std::vector<TrialRecord>& trials) override;
  int rung_of(const TrialRecord& trial) const override;
  bool pauses() const override { return true; }

  /// The rung (index in the ladder) the current bracket trains.
  int current_rung() const { return rung_; }

 private:
  void start_bracket(int first_id);
  /// Counts `trial` as done with rung k of the bracket, recording its value there if any.
  void arrive(const TrialRecord& trial, int k);
  /// Closes rung 0, promotes completed rungs and starts new brackets as far as `view` allows.
  void advance(const SchedulerView& view);

  RungLadder ladder_;
  Direction direction_;
  int trials_per_bracket_;

  // The current bracket (earlier ones are done: their trials ended or stay paused).
  int first_id_ = 0;
  bool open_ = true;   ///< rung 0 still takes new trials
  bool done_ = false;  ///< no bracket is running and none can start
  int rung_ = 0;       ///< the rung being trained
  std::vector<std::vector<int>> members_;                   ///< per rung: its trials
  std::vector<int> arrived_;                                ///< per rung: members done with it
  std::vector<std::vector<std::pair<int, double>>> results_;  ///< per rung: (trial, value)
  std::unordered_map<int, int> member_of_;  ///< trial -> highest rung it was promoted to
  std::unordered_map<int, int> done_with_;  ///< trial -> highest rung it is done with
  std::list<int> pending_;                  ///< members of rung_ to resume, best first
};

}  // namespace rungs
