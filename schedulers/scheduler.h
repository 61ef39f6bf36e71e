#pragma once
/// Schedulers decide when trials stop and what an idle worker does next. Contract:
/// - Owned and called only by the coordinator on rank 0, from one thread; no MPI, files,
///   clocks or LibTorch.
/// - next() is asked whenever a worker is idle; on_report() after every epoch a trial
///   reports (the epoch is already appended to trial.curve); on_trial_end() once per trial
///   when it is Completed, Stopped or Failed.
/// - rebuild() restores the scheduler's state from the trials' recorded curves alone, so a
///   resumed study continues with the same rungs.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "study/options.h"
#include "study/pareto.h"
#include "study/trial.h"

namespace rungs {

struct NextAction {
  enum class Kind {
    StartTrial,   ///< sample a new trial and run it for `epochs` epochs at most
    ResumeTrial,  ///< continue paused trial `trial_id` until `epochs` epochs in all
    Wait,         ///< nothing now; ask again when something changes
    Finish,       ///< the study is over for this worker
  };
  Kind kind = Kind::Wait;
  int trial_id = -1;
  int epochs = 0;
};

struct SchedulerView {
  const std::vector<TrialRecord>& trials;  ///< every trial so far, by id
  bool can_start_new;                      ///< the trial budget is not used up
  int running;                             ///< trials a worker owns right now
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual NextAction next(const SchedulerView& view) = 0;
  /// A trial was just created for a StartTrial answer (its max_epochs is set).
  virtual void on_trial_start(const TrialRecord& /*trial*/) {}
  virtual Verdict on_report(const TrialRecord& trial, const std::vector<TrialRecord>& trials) = 0;
  virtual void on_trial_end(const TrialRecord& /*trial*/) {}
  virtual void rebuild(const std::vector<TrialRecord>& /*trials*/) {}
  /// The trials of an earlier study (a warm start, io/warm_start.h): finished, ids < 0, each
  /// a complete configuration of this study's space. A scheduler with rung statistics counts
  /// them there as if they had reported, from now on and in every rebuild(); they are never
  /// started, resumed or stopped. Called once, before any other call. Returns whether this
  /// scheduler uses them (the default: it does not).
  virtual bool add_prior(const std::vector<TrialRecord>& /*prior*/) { return false; }
  /// The highest rung `trial` has reached (0 for schedulers without rungs).
  virtual int rung_of(const TrialRecord& /*trial*/) const { return 0; }
  /// Whether it pauses trials (Verdict::Pause, ResumeTrial): their runs then end early and
  /// go on later from where they were (which a program must be able to do).
  virtual bool pauses() const { return false; }
  /// Asked right after next() answered ResumeTrial, for the trial it resumes: a new segment
  /// the trial begins with (PBT's exploit and explore), or nullopt to go on as it was. Its
  /// start_epoch is the epochs the trial has run; it continues from a copy of trial
  /// clone_trial's checkpoint at clone_epoch epochs (clone_trial -1: its own).
  virtual std::optional<Segment> new_segment(const TrialRecord& /*trial*/,
                                             const std::vector<TrialRecord>& /*trials*/) {
    return std::nullopt;
  }
};

class SearchSpace;

/// What a scheduler may need of the study besides its options: the search space and seed,
/// which pbt explores (it refuses to be built without a space), and the objectives: with
/// two or more (the study's objectives:), asha is MO-ASHA (mo_asha.h); the other
/// schedulers compare trials by the first objective, the study's value.
struct SchedulerContext {
  const SearchSpace* space = nullptr;
  std::uint64_t seed = 0;
  std::vector<Objective> objectives;
};

/// Builds the scheduler named in `options` (fifo, ...) for trials of at most `max_epochs`.
/// Validates its options (ConfigError naming the field and value).
std::unique_ptr<Scheduler> make_scheduler(const AlgorithmOptions& options, int max_epochs,
                                          Direction direction, const SchedulerContext& study = {});

}  // namespace rungs
