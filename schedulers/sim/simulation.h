#pragma once
/// The coordinator's logic in virtual time. It drives a Sampler and a Scheduler through the
/// same calls, in the same order and with the same meaning as mpi_driver/coordinator.cpp,
/// with simulated workers training synthetic learning curves (objective.h):
/// - every worker starts idle; the idle ones are served in the order they became idle;
///   while any is idle the scheduler's next() is asked: StartTrial creates a trial with
///   max_epochs = the action's epochs and the sampler's parameters (a sampler with nothing
///   left ends the starting), ResumeTrial continues a Paused trial to `epochs` epochs in all,
///   Wait leaves the workers idle until something changes, Finish ends the study once no
///   trial runs; every assignment counts in the trial's attempts;
/// - after every epoch the trial's result is appended to its curve, the sampler and then
///   the scheduler see it, and the record's rung becomes max(rung, rung_of); the verdict
///   applies unless that epoch was the last of the assignment;
/// - an assignment that ends Finished short of max_epochs leaves the trial Paused, a Stop
///   at max_epochs makes it Completed; on_trial_end() is called for every trial that ends
///   Completed, Stopped or Failed, never for Paused ones;
/// - next() is asked again after every message: a report, a trial's end, a worker's ready
///   (the coordinator may handle messages that arrive together before asking; both orders
///   are ones a real run can take, and no scheduler may depend on either);
/// - the simulated runner checkpoints after every epoch, so a paused trial resumes where it
///   stopped (checkpoint_epoch = epochs run); with retrain_on_resume it has no checkpoints
///   and a resumed assignment costs its earlier epochs again;
/// - a resume that begins a new segment (PBT) trains with the segment's parameters from then
///   on: the power-law family takes the curve of the new parameters at the trial's epochs,
///   the drifting family takes the donor's progress at the cloned epoch.
/// Events at the same virtual time are handled in the order they were scheduled, so a run
/// is a pure function of the study, the algorithms and the settings.
///
/// It throws rungs::Error where the coordinator would fail or hang: resuming a trial that
/// is not paused, an assignment of no epochs, or Wait with nothing running.
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <queue>
#include <string>
#include <vector>

#include "samplers/sampler.h"
#include "schedulers/lifecycle.h"
#include "schedulers/scheduler.h"
#include "schedulers/sim/objective.h"
#include "study/config.h"

namespace rungs::sim {

struct SimSettings {
  int workers = 1;
  ObjectiveSettings objective;
  double resume_overhead = 0.0;    ///< virtual seconds to load a checkpoint on resuming
  bool retrain_on_resume = false;  ///< no checkpoints: a resumed trial retrains its earlier
                                   ///< epochs first (its assignment costs all its epochs)
};

/// What one simulated study measured. Times are virtual seconds.
struct SimResult {
  std::string label;          ///< the scheduler, as the caller names it
  int workers = 0;
  int trials = 0;
  long long epochs = 0;       ///< epochs trained in all (retrained ones included)
  double makespan = 0.0;      ///< when the study ended
  double busy = 0.0;          ///< worker-seconds spent training
  double utilization = 0.0;   ///< busy / (workers * makespan)
  double budget_time = 0.0;   ///< when the last trial started (the trial budget ran out)
  double steady_utilization = 0.0;  ///< busy share of the worker time before budget_time
  double time_unit = 0.0;     ///< time(R): budget.epochs times the mean cost of an epoch
  /// When a trial first trained all of its max_epochs; infinity when none did.
  double first_full = std::numeric_limits<double>::infinity();
  int completed = 0, stopped = 0, paused = 0, failed = 0;
  std::vector<int> rungs;     ///< trials per highest rung reached
  /// (time, noise-free value at budget.epochs of the incumbent), each time the incumbent
  /// changed. The incumbent is what `rungs best` would show: the trial with the best
  /// result reported so far.
  std::vector<std::pair<double, double>> incumbent;
  double best_truth = 0.0;    ///< best noise-free final value among the sampled configurations
                              ///< (the drifting family: best_final)
  /// Best noise-free value after budget.epochs among the trials that trained all of them
  /// (with the parameters they had then); NaN when none did.
  double best_final = std::numeric_limits<double>::quiet_NaN();
  Direction direction = Direction::Maximize;

  /// How much worse the incumbent at `time` is than `reference` (a best_truth): >= 0 when
  /// the reference is at least as good; NaN before the first result.
  double regret_at(double time, double reference) const;
};

class Simulation {
 public:
  /// The algorithms are used, not owned; they must outlive the simulation.
  Simulation(const StudyConfig& config, Sampler& sampler, Scheduler& scheduler, SimSettings settings);

  /// Handles messages until the study ends, or until `pause_when` (asked after each
  /// message) holds. True when the study has ended.
  bool run(const std::function<bool(const Simulation&)>& pause_when = nullptr);
  bool ended() const { return ended_; }
  double now() const { return now_; }
  const std::vector<TrialRecord>& trials() const { return trials_; }
  const StudyConfig& config() const { return config_; }
  const SyntheticObjective& objective() const { return objective_; }
  const Curve& curve(int trial_id) const { return curves_.at(static_cast<std::size_t>(trial_id)); }

  SimResult result(const std::string& label) const;

  /// An exact copy of the state that goes on with other algorithm objects: what a study
  /// resumed from its records does (rebuild tests).
  Simulation fork(Sampler& sampler, Scheduler& scheduler) const;

 private:
  struct Event {
    double time;
    long long seq;
    int worker;
    bool operator>(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
  };
  enum class MessageKind { Report, End, Ready };
  struct Message {
    MessageKind kind;
    int worker;
    TrialOutcome outcome = TrialOutcome{};  ///< End: what the simulated runner returned
  };
  struct Worker {
    int trial = -1;
    int end_epoch = 0;
    double epoch_start = 0.0;
  };

  void dispatch();
  void assign(int worker, TrialRecord& trial, int end_epoch);
  /// A resume that began a new segment: its parameters and, cloned, the donor's state.
  void begin_segment(const TrialRecord& trial);
  void schedule_epoch(int worker, double extra);
  void handle(const Message& message);
  void on_epoch_done(int worker);
  void on_report(int worker);
  void on_trial_end(int worker, const TrialOutcome& outcome);
  void note_budget_out();

  StudyConfig config_;
  Sampler* sampler_;
  Scheduler* scheduler_;
  SimSettings settings_;
  SyntheticObjective objective_;

  std::vector<TrialRecord> trials_;
  std::vector<Curve> curves_;
  std::vector<std::vector<double>> progress_;  ///< drifting family: per trial, per epoch (0..)
  std::vector<std::size_t> segments_seen_;     ///< per trial: segments already applied
  std::vector<Worker> workers_;
  std::deque<int> idle_;
  std::deque<Message> inbox_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  long long seq_ = 0;
  int running_ = 0;
  lifecycle::DispatchState dispatch_;
  bool finished_ = false;
  bool ended_ = false;
  double now_ = 0.0;

  // Figures
  long long epochs_ = 0;
  long epochs_recorded_ = 0;  ///< rows of every curve (budget.epochs_total)
  double busy_ = 0.0;
  double budget_time_ = -1.0;
  double busy_at_budget_ = 0.0;
  double first_full_ = std::numeric_limits<double>::infinity();
  int incumbent_id_ = -1;
  double incumbent_value_ = 0.0;
  std::vector<std::pair<double, double>> incumbent_;
};

/// Builds the study's sampler and the scheduler of `scheduler` (validated, ConfigError
/// naming the value) and simulates the study to its end.
SimResult simulate(const StudyConfig& config, const AlgorithmOptions& scheduler,
                   const SimSettings& settings, const std::string& label);

}  // namespace rungs::sim
