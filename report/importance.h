#pragma once
/// Hyperparameter importance, as Optuna's default FanovaImportanceEvaluator computes it: a
/// random forest (64 trees) is fitted to the trials' values over their parameters, each
/// parameter mapped to [0, 1] the way the sampler sees it (log scale for log parameters,
/// categoricals as equal cells); for every tree, fANOVA gives the share of the variance of
/// its prediction that each parameter explains alone; the shares are averaged over the
/// trees and normalised to sum to 1.
///
/// Trials are compared at the same budget, so that a trial an early-stopping scheduler
/// stopped after 1 epoch does not look bad next to one that ran 9: the budget is the most
/// epochs that at least kCommonBudgetTrials trials (or all of them, when fewer) reached,
/// and a trial's value is its best metric over its first that many epochs. Trials used:
/// every trial that did not fail and reached the budget (with a fifo scheduler, every
/// finished trial at its full length). Parameters used: those present in every such trial;
/// conditional parameters absent from some are left out and listed, as in Optuna (its
/// intersection search space).
#include <cstdint>
#include <string>
#include <vector>

#include "report/study_view.h"

namespace rungs::report {

struct ParamImportance {
  std::string name;
  double importance = 0.0;  ///< in [0, 1]; the importances of one study sum to 1
};

struct ImportanceResult {
  std::vector<ParamImportance> params;  ///< most important first; empty when not computed
  std::vector<std::string> left_out;    ///< conditional parameters absent from some trials
  int trials_used = 0;
  int budget = 0;                       ///< epochs at which the trials were compared
  std::string note;                     ///< why nothing was computed, when params is empty
};

/// At least this many trials with a value are needed.
constexpr int kMinImportanceTrials = 4;
/// The comparison budget is the most epochs that this many trials reached.
constexpr int kCommonBudgetTrials = 10;

ImportanceResult parameter_importance(const StudyView& view, std::uint64_t seed = 0);

}  // namespace rungs::report
