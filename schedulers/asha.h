#pragma once
/// Asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel
/// Hyperparameter Tuning", MLSys 2020): one bracket of rungs at r*eta^(s+k) epochs, capped
/// by R. It never makes a worker wait while the trial budget lasts, which is what lets it
/// scale to thousands of workers where synchronous successive halving idles them.
///
/// Options (study file `scheduler: {name: asha, ...}`): min_resource (r, default 1),
/// max_resource (R, default the study's budget.epochs), reduction_factor (eta, default 3),
/// bracket (s, default 0), mode (`stop`, default, or `promotion`). See AshaBracket for the
/// rules of both modes. Every trial is started with max_epochs = R.
#include <memory>

#include "schedulers/asha_bracket.h"
#include "schedulers/scheduler.h"

namespace rungs {

class AshaScheduler final : public Scheduler {
 public:
  AshaScheduler(const LadderSpec& spec, Direction direction, bool promotion);
  /// Reads and validates the options above (ConfigError naming the value).
  static std::unique_ptr<Scheduler> from_options(const AlgorithmOptions& options, int max_epochs,
                                                 Direction direction);

  NextAction next(const SchedulerView& view) override;
  Verdict on_report(const TrialRecord& trial, const std::vector<TrialRecord>& trials) override;
  void on_trial_end(const TrialRecord& trial) override { bracket_.on_trial_end(trial); }
  void rebuild(const std::vector<TrialRecord>& trials) override;
  bool add_prior(const std::vector<TrialRecord>& prior) override;
  int rung_of(const TrialRecord& trial) const override;
  bool pauses() const override { return promotion_; }

  const AshaBracket& bracket() const { return bracket_; }

 private:
  LadderSpec spec_;
  Direction direction_;
  bool promotion_;
  AshaBracket bracket_;
  std::vector<TrialRecord> prior_;
};

}  // namespace rungs
