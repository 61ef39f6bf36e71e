#pragma once
/// One bracket of asynchronous successive halving (ASHA, Li et al., MLSys 2020): the results
/// recorded at each of its rungs, the verdict for a trial that reaches a rung and, in
/// promotion mode, the paused trial to promote next. Used by AshaScheduler (one bracket) and
/// HyperbandScheduler (several).
///
/// - Stop mode: a trial that reaches a rung below the top goes on iff is_promotable() (the
///   Optuna rule, see promotion.h) among the results recorded there so far, its own included.
/// - Promotion mode: a trial pauses at every rung below the top; an idle worker resumes the
///   best paused trial that is in the top floor(n / eta) of its rung (the paper's rule, no
///   "at least one": nobody leaves a rung before eta trials reached it), highest rung first.
///
/// A report may skip rungs: its value is then recorded at every rung it passed (Optuna
/// records it at each rung too but stops checking at the first it fails; recording at all of
/// them keeps the state a function of the curves). A trial is recorded at most once per
/// rung: one that reports a rung again (restarted from an older checkpoint after the study
/// was resumed) is judged on its first result there. NaN results are never recorded and
/// stop the trial. The state depends only on the trials' curves and statuses, so add() over
/// every trial rebuilds what on_report() built.
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "schedulers/promotion.h"
#include "schedulers/rung_ladder.h"
#include "study/trial.h"

namespace rungs {

class AshaBracket {
 public:
  AshaBracket(const LadderSpec& spec, Direction direction, bool promotion);

  const RungLadder& ladder() const { return ladder_; }
  bool promotion_mode() const { return promotion_; }

  /// A trial of this bracket reported an epoch (the last entry of its curve).
  Verdict on_report(const TrialRecord& trial);
  /// The trial ended (completed, stopped, failed): it waits nowhere any more.
  void on_trial_end(const TrialRecord& trial);
  /// Rebuilding: records `trial`'s curve at the rungs it reached as if reported; in
  /// promotion mode a paused or running trial below the top waits at its highest rung (a
  /// running one is skipped until it pauses or reports again).
  void add(const TrialRecord& trial);

  struct Promotion {
    int trial_id;
    int epochs;  ///< the milestone of the rung it is promoted to
    int rung;    ///< that rung's absolute number
  };
  /// Promotion mode: the best paused trial in the top floor(n / eta) of its rung, looking
  /// from the highest rung down; `trials` tells which are paused. nullopt when none.
  std::optional<Promotion> best_promotion(const std::vector<TrialRecord>& trials) const;
  /// The trial was resumed: it waits nowhere until it reaches its next rung.
  void resumed(int trial_id) { unwait(trial_id); }

  /// Results recorded at the bracket's k-th rung.
  int recorded(int k) const { return rungs_.at(static_cast<std::size_t>(k)).cutoff.count(); }

 private:
  struct Rung {
    RungCutoff cutoff;
    std::set<std::pair<double, int>> waiting;  ///< (-score, trial id): best first, then oldest
  };
  void wait_at(int k, int trial_id, double score);
  void unwait(int trial_id);
  /// Records `score` at rung k unless the trial was recorded there already; true if new.
  bool record(int trial_id, int k, double score);

  RungLadder ladder_;
  Direction direction_;
  bool promotion_;
  std::vector<Rung> rungs_;
  std::unordered_map<int, std::pair<int, double>> waiting_;  ///< trial -> (rung k, -score)
  std::unordered_map<int, int> recorded_;  ///< trial -> highest rung k it is recorded at
};

}  // namespace rungs
