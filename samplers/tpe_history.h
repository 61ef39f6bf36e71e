#pragma once
/// TPE's view of the study, kept up to date incrementally: each trial's score
/// (tpe_observations.h), each parameter's internal values, the below group, and for each
/// parameter the above estimator (above_density.h) over the trials outside the below group
/// where that parameter is active. The below group is one of two splits:
/// - global (Optuna 3.1): the best gamma(n) of all n observations; a parameter's below
///   estimator learns from those of them where it is active, which for a conditional
///   parameter may be none;
/// - per parameter: for each parameter, the best gamma(n_p) of the n_p observations where it
///   is active. For an unconditional parameter this is the global split. sync() costs O(running +
///   new trials), not O(trials):
/// the trials are append-only and a finished trial never changes (study/trial.h), so only
/// running and paused trials are read again. The cache is a function of the trials alone;
/// if they are not an extension of what it saw last (a test, a different study) it starts
/// over.
#include <cmath>
#include <cstddef>
#include <memory>
#include <set>
#include <vector>

#include "samplers/above_density.h"
#include "samplers/tpe_observations.h"
#include "study/search_space.h"
#include "study/trial.h"

namespace rungs {

struct TpeGroupSettings {
  double gamma = 0.1;          ///< fraction of the observations in the below group ...
  std::size_t gamma_max = 25;  ///< ... and at most this many
  bool constant_liar = true;
  bool per_parameter = true;  ///< the split over each parameter's active trials
};

class TpeHistory {
 public:
  /// `space` must outlive the history. Trials are identified by their index in the vector
  /// given to sync().
  TpeHistory(const SearchSpace& space, Direction direction, const ParzenSettings& parzen,
             const TpeGroupSettings& group);

  void sync(const std::vector<TrialRecord>& trials);

  /// Scored trials that are not liars (Optuna's n for n_startup_trials and gamma).
  std::size_t n_observed() const { return splits_[0].n_observed; }
  /// The below group of parameter `param` (index in the space): trial indices, oldest
  /// first. Global split: the same for all parameters, and may hold trials where `param` is
  /// inactive; per parameter: only trials where it is active.
  const std::vector<int>& below(std::size_t param) const { return splits_[split_of(param)].below; }
  /// The internal value of parameter `param` (index in the space) in trial `trial`; NaN when
  /// the parameter is inactive there.
  double value(int trial, std::size_t param) const {
    return values_[static_cast<std::size_t>(trial) * n_params_ + param];
  }
  /// The above estimator of a parameter that is not single-valued.
  AboveDensity& above(std::size_t param) { return *above_[param]; }

 private:
  enum class Role : unsigned char { None, Above, Below };
  struct Seen {
    TrialStatus status = TrialStatus::Running;
    std::size_t epochs = static_cast<std::size_t>(-1);  // -1: never read
    double last = 0.0;
    bool scored = false;
    TpeScore score;
  };
  struct RankKey {
    TpeScore score;
    int trial;
    bool operator<(const RankKey& o) const {
      if (ranks_before(score, o.score)) return true;
      if (ranks_before(o.score, score)) return false;
      return trial < o.trial;
    }
  };

  void reset();
  bool consistent(const std::vector<TrialRecord>& trials) const;
  /// Reads trial i's status and results; true when its score changed.
  bool refresh(int i, const TrialRecord& trial);
  void ingest_values(int i, const TrialRecord& trial);
  /// One ranking and below group: split 0 over all observations, and (per parameter) one
  /// over the observations where each conditional parameter is active.
  struct Split {
    std::set<RankKey> ranking;
    std::size_t n_observed = 0;
    std::vector<int> below;
  };
  std::size_t split_of(std::size_t param) const { return split_of_[param]; }
  bool in_split(int i, std::size_t split) const {
    return split == 0 || !std::isnan(value(i, param_of_split_[split]));
  }
  /// Re-ranks trial i in every split it belongs to (its score changed from `old`).
  void rerank(int i, const Seen& old);
  /// Recomputes a split's below group; changed trials and those that moved change role.
  void update_split(std::size_t split, std::vector<int> changed);
  void set_role(int i, std::size_t split, Role role);

  const SearchSpace* space_;
  Direction direction_;
  ParzenSettings parzen_;
  TpeGroupSettings group_;
  std::size_t n_params_;

  std::vector<Seen> seen_;
  std::vector<double> values_;               // trial-major, n_params_ per trial
  std::set<int> pending_;                    // trials that may still change (running, paused)
  std::vector<std::size_t> split_of_;        // by parameter
  std::vector<std::size_t> param_of_split_;  // by split (split 0: none)
  std::vector<Split> splits_;
  std::vector<Role> roles_;                           // trial-major, one per split
  std::vector<std::unique_ptr<AboveDensity>> above_;  // null for single-valued parameters
};

}  // namespace rungs
