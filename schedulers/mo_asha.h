#pragma once
/// ASHA for several objectives (MO-ASHA; Schmucker et al., "Multi-objective Asynchronous
/// Successive Halving", 2021): the rungs, modes and quotas of AshaScheduler (asha.h), with a
/// rung's results ranked by non-dominated sorting instead of by one value: by Pareto rank,
/// within a rank by crowding distance, the larger first (pareto_order in study/pareto.h).
/// - Stop mode: a trial reaching a rung below the top goes on iff fewer than
///   max(1, floor(n / eta)) of the n results recorded there, its own included, stand
///   strictly before it (ties favour the trial, as in ASHA).
/// - Promotion mode: an idle worker resumes a paused trial among the first floor(n / eta)
///   of its rung, highest rung first, best first.
/// A trial whose epoch lacks one of the objectives' metrics (or has NaN there) is stopped
/// at the rung, like a NaN value in ASHA. The study's objectives: come from the study file;
/// the state is a function of the trials' curves, so rebuild() restores it.
#include <memory>
#include <unordered_map>
#include <vector>

#include "schedulers/rung_ladder.h"
#include "schedulers/scheduler.h"
#include "study/pareto.h"

namespace rungs {

class MoAshaScheduler final : public Scheduler {
 public:
  MoAshaScheduler(const LadderSpec& spec, std::vector<Objective> objectives, bool promotion);

  NextAction next(const SchedulerView& view) override;
  Verdict on_report(const TrialRecord& trial, const std::vector<TrialRecord>& trials) override;
  void rebuild(const std::vector<TrialRecord>& trials) override;
  bool add_prior(const std::vector<TrialRecord>& prior) override;
  int rung_of(const TrialRecord& trial) const override;
  bool pauses() const override { return promotion_; }

  /// Results recorded at the k-th rung.
  int recorded(int k) const { return static_cast<int>(rungs_.at(static_cast<std::size_t>(k)).ids.size()); }

 private:
  struct Rung {
    std::vector<int> ids;       ///< trial ids (warm-start trials: < 0), in order recorded
    std::vector<Point> points;  ///< their objective points there
  };
  /// Records `point` at rung k unless the trial was recorded there already; true if new.
  bool record(int trial_id, int k, Point point);
  /// The rung's trial ids in MO-ASHA order, best first.
  std::vector<int> ranked(int k) const;
  /// How many of n results at a rung go on.
  int quota(int n, bool at_least_one) const;
  void add(const TrialRecord& trial);

  RungLadder ladder_;
  std::vector<Objective> objectives_;
  bool promotion_;
  std::vector<Rung> rungs_;
  std::unordered_map<int, int> recorded_;  ///< trial -> highest rung k it is recorded at
  std::vector<TrialRecord> prior_;
};

}  // namespace rungs
