#pragma once
// Helpers for scheduler tests: a study file with a given scheduler, and a hand driver that
// plays the coordinator's part (mpi_driver/coordinator.cpp) one call at a time.
#include <string>
#include <vector>

#include "schedulers/scheduler.h"
#include "study/config.h"
#include "study/errors.h"

namespace rungs::testing {

/// A study of `trials` trials of `epochs` epochs over two float parameters, with
/// `scheduler` as its scheduler entry (YAML flow map, e.g. "{name: asha}").
inline StudyConfig study(const std::string& scheduler, int trials = 100, int epochs = 9,
                         const std::string& objective = "{model: mlp}") {
  return parse_study_config("name: t\nseed: 7\nobjective: " + objective + "\n"
                            "search_space:\n"
                            "  lr: {type: float, low: 1.0e-4, high: 1.0, log: true}\n"
                            "  dropout: {type: float, low: 0.0, high: 0.5}\n"
                            // random: the same configurations whatever the scheduler
                            "sampler: random\nscheduler: " + scheduler + "\n" +
                                "budget: {max_trials: " + std::to_string(trials) +
                                ", epochs: " + std::to_string(epochs) + "}\n",
                            "study.yaml");
}

inline std::unique_ptr<Scheduler> scheduler_for(const StudyConfig& config) {
  return make_scheduler(config.scheduler, config.budget.epochs, config.objective.direction,
                        {&config.space, config.seed, config.multi.objectives});
}

/// The ConfigError message make_scheduler gives for `scheduler`, or "" when it accepts it.
inline std::string option_error(const std::string& scheduler, int epochs = 9) {
  try {
    scheduler_for(study(scheduler, 10, epochs));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

/// Plays the coordinator by hand: creates trials, appends their epochs, ends them.
class Driver {
 public:
  explicit Driver(Scheduler& scheduler, Direction direction = Direction::Maximize)
      : scheduler_(scheduler), direction_(direction) {}

  NextAction next(bool can_start_new = true) {
    return scheduler_.next(SchedulerView{trials, can_start_new, running()});
  }
  /// A new running trial of `max_epochs` (what a StartTrial answer leads to).
  int start(int max_epochs) {
    TrialRecord t;
    t.id = static_cast<int>(trials.size());
    t.max_epochs = max_epochs;
    trials.push_back(t);
    scheduler_.on_trial_start(trials.back());
    return t.id;
  }
  /// Appends epoch `epoch` (default: the next one) with `value` and returns the verdict.
  Verdict report(int id, double value, int epoch = 0) {
    TrialRecord& t = trials.at(static_cast<std::size_t>(id));
    EpochResult r;
    r.epoch = epoch > 0 ? epoch : t.epochs_run() + 1;
    r.value = value;
    t.curve.push_back(r);
    const Verdict v = scheduler_.on_report(t, trials);
    t.rung = std::max(t.rung, scheduler_.rung_of(t));
    return v;
  }
  /// Reports `values` one epoch after the other; the verdict of the last.
  Verdict report_all(int id, const std::vector<double>& values) {
    Verdict v = Verdict::Continue;
    for (double x : values) v = report(id, x);
    return v;
  }
  /// The trial ends with `status` (on_trial_end unless Paused).
  void end(int id, TrialStatus status) {
    TrialRecord& t = trials.at(static_cast<std::size_t>(id));
    t.status = status;
    if (status != TrialStatus::Paused) scheduler_.on_trial_end(t);
  }
  /// What the coordinator does with a ResumeTrial answer.
  void resume(int id) { trials.at(static_cast<std::size_t>(id)).status = TrialStatus::Running; }
  int running() const {
    int n = 0;
    for (const auto& t : trials) n += t.status == TrialStatus::Running;
    return n;
  }

  std::vector<TrialRecord> trials;

 private:
  Scheduler& scheduler_;
  Direction direction_;
};

}  // namespace rungs::testing
