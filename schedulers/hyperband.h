#pragma once
/// Hyperband (Li et al., JMLR 2018) run asynchronously: several ASHA brackets side by side,
/// bracket s starting its trials' first comparison at r*eta^s epochs, so that the study
/// hedges between aggressive early stopping (s = 0) and none (s = s_max, plain random search
/// at R). Each trial belongs to one bracket for its whole life, chosen from its id alone.
///
/// Options: min_resource, max_resource, reduction_factor (as asha), brackets (how many,
/// default s_max + 1 with s_max = floor(log_eta(R/r))), assignment (`paper`, default: the
/// brackets get trials in the proportions of the Hyperband paper, bracket s the n of its
/// bracket s_max - s, ceil((s_max+1)/(s_max-s+1) * eta^(s_max-s)); `rotation`: equal
/// shares), mode (`stop` or `promotion`, as asha). Trials are dealt to brackets by smooth
/// weighted round robin, so every prefix of the study is close to the proportions.
#include <memory>
#include <vector>

#include "schedulers/asha_bracket.h"
#include "schedulers/scheduler.h"

namespace rungs {

/// Hyperband's share of each of `brackets` brackets (s = 0 .. brackets-1, ASHA's
/// early-stopping rate) for s_max = `max_bracket`.
std::vector<int> hyperband_weights(int brackets, int max_bracket, int reduction_factor);

/// One period of smooth weighted round robin over `weights` (nginx's algorithm): each index
/// i appears weights[i] times, spread as evenly as possible. Trial t goes to
/// sequence[t % sequence.size()].
std::vector<int> bracket_sequence(const std::vector<int>& weights);

class HyperbandScheduler final : public Scheduler {
 public:
  /// `spec.bracket` is ignored; `weights` has one entry per bracket.
  HyperbandScheduler(const LadderSpec& spec, const std::vector<int>& weights, Direction direction,
                     bool promotion);
  static std::unique_ptr<Scheduler> from_options(const AlgorithmOptions& options, int max_epochs,
                                                 Direction direction);

  NextAction next(const SchedulerView& view) override;
  Verdict on_report(const TrialRecord& trial, const std::vector<TrialRecord>& trials) override;
  void on_trial_end(const TrialRecord& trial) override;
  void rebuild(const std::vector<TrialRecord>& trials) override;
  int rung_of(const TrialRecord& trial) const override;
  bool pauses() const override { return promotion_; }

  int bracket_of(int trial_id) const;
  const AshaBracket& bracket(int s) const { return brackets_.at(static_cast<std::size_t>(s)); }
  int brackets() const { return static_cast<int>(brackets_.size()); }

 private:
  void reset();

  LadderSpec spec_;
  Direction direction_;
  bool promotion_;
  int bracket_count_;
  std::vector<int> sequence_;
  std::vector<AshaBracket> brackets_;
};

}  // namespace rungs
