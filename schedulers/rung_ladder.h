#pragma once
/// The rungs of successive halving: the numbers of epochs at which a bracket compares its
/// trials. With min_resource r, max_resource R, reduction_factor eta and bracket s (the
/// early-stopping rate), the bracket's rungs lie at r*eta^(s+k) epochs for k = 0, 1, ... while
/// that is below R, and the top rung at R itself. Rung numbers are absolute, the same in every
/// bracket: "rung j" means min(r*eta^j, R) epochs, so bracket s's rung k is rung s+k.
/// Everything here is a pure function of its arguments.
#include <optional>
#include <string>
#include <vector>

#include "study/trial.h"

namespace rungs {

/// The four numbers that define a bracket's rungs.
struct LadderSpec {
  int min_resource = 1;      ///< r: epochs at rung 0
  int max_resource = 1;      ///< R: epochs at the top rung (a trial's max_epochs)
  int reduction_factor = 3;  ///< eta: 1/eta of a rung's trials go on to the next
  int bracket = 0;           ///< s: the bracket's first rung is rung s
};

/// What is wrong with one option: its key and a message that follows the value, as in
/// "reduction_factor: 1 must be >= 2".
struct OptionProblem {
  std::string key;
  std::string message;
};

/// The first problem of `spec` for a study whose trials run at most `max_epochs` epochs,
/// or nullopt when it is valid.
std::optional<OptionProblem> check_ladder(const LadderSpec& spec, int max_epochs);

/// The largest s for which bracket s still has a rung at or below R: floor(log_eta(R / r)).
int max_bracket(int min_resource, int max_resource, int reduction_factor);

/// The absolute rung of a trial that trained `epochs` epochs: the largest j with
/// min(r*eta^j, R) <= epochs; 0 when `epochs` < r (every trial starts in rung 0).
int absolute_rung(int epochs, int min_resource, int max_resource, int reduction_factor);

class RungLadder {
 public:
  /// Throws rungs::Error naming the bad value when check_ladder(spec, max_resource) fails.
  explicit RungLadder(const LadderSpec& spec);

  const LadderSpec& spec() const { return spec_; }
  int size() const { return static_cast<int>(milestones_.size()); }
  /// Epochs at the bracket's k-th rung (k = 0 is the bracket's bottom rung).
  int milestone(int k) const { return milestones_.at(static_cast<std::size_t>(k)); }
  bool is_top(int k) const { return k == size() - 1; }
  /// The absolute rung number of the bracket's k-th rung.
  int absolute(int k) const { return spec_.bracket + k; }
  /// The highest k whose milestone is <= epochs; -1 when below the bottom rung.
  int reached(int epochs) const;
  /// The rungs k with from_epochs < milestone(k) <= to_epochs, lowest first: those a report
  /// of `to_epochs` reaches when the trial's previous report was `from_epochs`.
  std::vector<int> passed(int from_epochs, int to_epochs) const;

 private:
  LadderSpec spec_;
  std::vector<int> milestones_;
};

/// Epochs of the trial's last report (0 when it has none) and of the one before it.
int last_epoch(const TrialRecord& trial);
int previous_epoch(const TrialRecord& trial);

/// The value a trial recorded at a rung of `milestone` epochs: its first result at or after
/// that many epochs (a report may skip a rung). nullopt when the curve has not reached it.
std::optional<double> value_at(const TrialRecord& trial, int milestone);

}  // namespace rungs
