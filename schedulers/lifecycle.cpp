#include "schedulers/lifecycle.h"

#include <algorithm>
#include <sstream>

#include "study/errors.h"
#include "study/seed.h"

namespace rungs::lifecycle {

namespace {

TrialRecord& paused_trial(std::vector<TrialRecord>& trials, const NextAction& action) {
  if (action.trial_id < 0 || action.trial_id >= static_cast<int>(trials.size())) {
    throw Error("scheduler asked to resume trial " + std::to_string(action.trial_id) +
                ", which does not exist");
  }
  TrialRecord& t = trials[static_cast<std::size_t>(action.trial_id)];
  if (t.status != TrialStatus::Paused) {
    throw Error("scheduler asked to resume trial " + std::to_string(t.id) + ", which is " +
                to_string(t.status));
  }
  if (action.epochs <= t.epochs_run() || action.epochs > t.max_epochs) {
    throw Error("scheduler asked to resume trial " + std::to_string(t.id) + " to " +
                std::to_string(action.epochs) + " epochs; it has " +
                std::to_string(t.epochs_run()) + " of at most " + std::to_string(t.max_epochs));
  }
  return t;
}

/// Appends the segment a resume begins with, checked against the records.
void begin_segment(TrialRecord& t, const Segment& segment, const std::vector<TrialRecord>& trials) {
  const auto refuse = [&](const std::string& why) {
    throw Error("scheduler began a segment of trial " + std::to_string(t.id) + " " + why);
  };
  if (segment.start_epoch != t.epochs_run()) {
    refuse("at epoch " + std::to_string(segment.start_epoch) + "; it has " + std::to_string(t.epochs_run()));
  }
  if (segment.clone_trial >= 0) {
    if (segment.clone_trial == t.id || segment.clone_trial >= static_cast<int>(trials.size())) {
      refuse("from trial " + std::to_string(segment.clone_trial) + ", which it cannot clone");
    }
    const TrialRecord& donor = trials[static_cast<std::size_t>(segment.clone_trial)];
    if (segment.clone_epoch < 1 || segment.clone_epoch > donor.checkpoint_epoch) {
      refuse("from epoch " + std::to_string(segment.clone_epoch) + " of trial " + std::to_string(donor.id) +
             ", whose checkpoint has " + std::to_string(donor.checkpoint_epoch));
    }
  }
  if (t.segments.empty()) t.segments.push_back(Segment{0, t.params, -1, -1});
  t.segments.push_back(segment);
}

}  // namespace

std::string spent_budget(double seconds, long epochs_total, double elapsed_seconds,
                         long epochs_recorded) {
  const auto number = [](double v) {
    std::ostringstream out;
    out << v;
    return out.str();
  };
  if (seconds > 0 && elapsed_seconds >= seconds) return "budget.seconds (" + number(seconds) + ") spent";
  if (epochs_total > 0 && epochs_recorded >= epochs_total) {
    return "budget.epochs_total (" + std::to_string(epochs_total) + ") spent";
  }
  return "";
}

DispatchState dispatch_state(const StudyConfig& config) {
  DispatchState state;
  state.max_trials = config.budget.max_trials;
  state.study_seed = config.seed;
  state.stop_when_spent = config.budget.stop_when_spent;
  return state;
}

Verdict within_budget(Verdict verdict, const DispatchState& state, int rung_before,
                      const TrialRecord& trial) {
  if (state.budget_spent.empty() || verdict != Verdict::Continue) return verdict;
  return state.stop_when_spent || trial.rung > rung_before ? Verdict::Stop : verdict;
}

Dispatch next_dispatch(DispatchState& state, std::vector<TrialRecord>& trials, Sampler& sampler,
                       Scheduler& scheduler, int running, double now) {
  if (!state.budget_spent.empty()) {
    Dispatch d;
    d.kind = Dispatch::Kind::Finish;
    return d;
  }
  for (;;) {
    const bool can_start =
        !state.sampler_exhausted && static_cast<int>(trials.size()) < state.max_trials;
    const NextAction action = scheduler.next(SchedulerView{trials, can_start, running});
    Dispatch d;
    switch (action.kind) {
      case NextAction::Kind::Wait: return d;
      case NextAction::Kind::Finish: d.kind = Dispatch::Kind::Finish; return d;
      case NextAction::Kind::ResumeTrial:
        d.kind = Dispatch::Kind::Run;
        d.trial = &paused_trial(trials, action);
        if (auto segment = scheduler.new_segment(*d.trial, trials)) {
          begin_segment(*d.trial, *segment, trials);
          d.begun = &d.trial->segments.back();
        }
        d.resume = true;
        d.end_epoch = action.epochs;
        return d;
      case NextAction::Kind::StartTrial: break;
    }
    if (action.epochs < 1) {
      throw Error("scheduler started a trial of " + std::to_string(action.epochs) + " epochs");
    }
    const int id = static_cast<int>(trials.size());
    std::optional<Params> params = sampler.suggest(id, trials);
    if (!params) {
      state.sampler_exhausted = true;
      continue;
    }
    TrialRecord t;
    t.id = id;
    t.params = std::move(*params);
    t.seed = trial_seed(state.study_seed, id);
    t.max_epochs = action.epochs;
    t.start_time = now;
    t.curve.reserve(static_cast<std::size_t>(action.epochs));
    trials.push_back(std::move(t));
    scheduler.on_trial_start(trials.back());
    d.kind = Dispatch::Kind::Run;
    d.trial = &trials.back();
    d.end_epoch = action.epochs;
    return d;
  }
}

void begin_run(TrialRecord& trial, int worker) {
  trial.status = TrialStatus::Running;
  trial.worker = worker;
  ++trial.attempts;
}

std::string epoch_problem(const TrialRecord& trial, int epoch) {
  if (epoch == trial.epochs_run() + 1) return "";
  return "epoch " + std::to_string(epoch) + " of trial " + std::to_string(trial.id) +
         ", which has " + std::to_string(trial.epochs_run());
}

Verdict record_epoch(TrialRecord& trial, EpochResult result, std::vector<TrialRecord>& trials,
                     Sampler& sampler, Scheduler& scheduler) {
  if (result.checkpointed) trial.checkpoint_epoch = result.epoch;
  result.checkpointed = false;
  trial.curve.push_back(std::move(result));
  sampler.on_report(trial);
  const Verdict verdict = scheduler.on_report(trial, trials);
  trial.rung = std::max(trial.rung, scheduler.rung_of(trial));
  return verdict;
}

RunEnd end_run(TrialRecord& t, const TrialOutcome& outcome, bool has_checkpoints) {
  using Kind = TrialOutcome::Kind;
  if (outcome.kind == Kind::Interrupted || outcome.kind == Kind::Halted) return RunEnd::Running;
  const bool all_epochs = t.epochs_run() >= t.max_epochs;
  if (has_checkpoints && outcome.kind != Kind::Failed) t.checkpoint_epoch = t.epochs_run();
  switch (outcome.kind) {
    case Kind::Finished: t.status = all_epochs ? TrialStatus::Completed : TrialStatus::Paused; break;
    case Kind::Stopped: t.status = all_epochs ? TrialStatus::Completed : TrialStatus::Stopped; break;
    case Kind::Paused: t.status = TrialStatus::Paused; break;
    default:
      t.status = TrialStatus::Failed;
      t.reason = outcome.reason;
      break;
  }
  return t.status == TrialStatus::Paused ? RunEnd::Paused : RunEnd::Over;
}

void park(TrialRecord& trial) { trial.status = TrialStatus::Running; }

void finish(TrialRecord& trial, double end_time, Scheduler& scheduler, Sampler& sampler) {
  trial.end_time = end_time;
  scheduler.on_trial_end(trial);
  sampler.on_trial_end(trial);
}

}  // namespace rungs::lifecycle
