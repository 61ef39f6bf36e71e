#include "schedulers/sim/simulation.h"

#include <algorithm>
#include <cmath>

#include "samplers/enqueued_sampler.h"
#include "schedulers/lifecycle.h"
#include "study/errors.h"

namespace rungs::sim {

double SimResult::regret_at(double time, double reference) const {
  double value = std::numeric_limits<double>::quiet_NaN();
  for (const auto& [t, v] : incumbent) {
    if (t > time) break;
    value = v;
  }
  if (std::isnan(value)) return value;
  return direction == Direction::Maximize ? reference - value : value - reference;
}

Simulation::Simulation(const StudyConfig& config, Sampler& sampler, Scheduler& scheduler,
                       SimSettings settings)
    : config_(config),
      sampler_(&sampler),
      scheduler_(&scheduler),
      settings_(settings),
      objective_(config.space, config.objective.direction, config.budget.epochs, settings.objective) {
  if (settings_.workers < 1) {
    throw Error("the simulation needs at least one worker, not " + std::to_string(settings_.workers));
  }
  workers_.resize(static_cast<std::size_t>(settings_.workers));
  dispatch_ = lifecycle::dispatch_state(config_);
  // Growing 10^5 records (and their curves) one by one dominated the run time.
  trials_.reserve(static_cast<std::size_t>(std::min(config_.budget.max_trials, 1 << 20)));
  curves_.reserve(trials_.capacity());
  // Every worker says Ready first, in rank order.
  for (int w = 0; w < settings_.workers; ++w) inbox_.push_back({MessageKind::Ready, w});
}

Simulation Simulation::fork(Sampler& sampler, Scheduler& scheduler) const {
  Simulation copy = *this;
  copy.sampler_ = &sampler;
  copy.scheduler_ = &scheduler;
  return copy;
}

bool Simulation::run(const std::function<bool(const Simulation&)>& pause_when) {
  while (!ended_) {
    dispatch();
    if (finished_ && running_ == 0) {
      ended_ = true;
      break;
    }
    if (inbox_.empty()) {
      if (events_.empty()) {
        throw Error("scheduler answered Wait with no trial running: the study would hang");
      }
      const Event event = events_.top();
      events_.pop();
      now_ = event.time;
      on_epoch_done(event.worker);
    }
    const Message message = inbox_.front();
    inbox_.pop_front();
    handle(message);
    if (pause_when && pause_when(*this)) return ended_;
  }
  return true;
}

void Simulation::note_budget_out() {
  if (budget_time_ >= 0.0) return;
  budget_time_ = now_;
  busy_at_budget_ = busy_;
  for (const Worker& w : workers_) {
    if (w.trial >= 0) busy_at_budget_ += now_ - w.epoch_start;
  }
}

void Simulation::dispatch() {
  while (!idle_.empty()) {
    const std::size_t before = trials_.size();
    const lifecycle::Dispatch d =
        lifecycle::next_dispatch(dispatch_, trials_, *sampler_, *scheduler_, running_, now_);
    if (dispatch_.sampler_exhausted) note_budget_out();
    finished_ = d.kind == lifecycle::Dispatch::Kind::Finish;
    if (d.kind != lifecycle::Dispatch::Kind::Run) return;
    if (trials_.size() > before) {
      curves_.push_back(objective_.curve(d.trial->params, d.trial->seed));
      progress_.push_back({0.0});
      segments_seen_.push_back(0);
      if (static_cast<int>(trials_.size()) >= config_.budget.max_trials) note_budget_out();
    }
    if (d.trial->segments.size() > segments_seen_[static_cast<std::size_t>(d.trial->id)]) begin_segment(*d.trial);
    assign(idle_.front(), *d.trial, d.end_epoch);
    idle_.pop_front();
  }
}

void Simulation::begin_segment(const TrialRecord& t) {
  const auto id = static_cast<std::size_t>(t.id);
  segments_seen_[id] = t.segments.size();
  curves_[id] = objective_.curve(t.current_params(), t.seed);
  const Segment& s = t.segments.back();
  if (s.clone_trial < 0) return;
  const std::vector<double>& donor = progress_[static_cast<std::size_t>(s.clone_trial)];
  progress_[id].resize(static_cast<std::size_t>(t.epochs_run()) + 1);
  progress_[id].back() = donor[std::min(donor.size() - 1, static_cast<std::size_t>(s.clone_epoch))];
}

void Simulation::assign(int worker, TrialRecord& t, int end_epoch) {
  lifecycle::begin_run(t, worker + 1);  // rank 0 is the coordinator
  Worker& w = workers_[static_cast<std::size_t>(worker)];
  w.trial = t.id;
  w.end_epoch = end_epoch;
  ++running_;
  double extra = 0.0;
  if (t.epochs_run() > 0) {
    extra = settings_.resume_overhead;
    if (settings_.retrain_on_resume) {
      extra += t.epochs_run() * curves_[static_cast<std::size_t>(t.id)].epoch_cost;
      epochs_ += t.epochs_run();
    }
  }
  schedule_epoch(worker, extra);
}

void Simulation::schedule_epoch(int worker, double extra) {
  Worker& w = workers_[static_cast<std::size_t>(worker)];
  w.epoch_start = now_;
  const double cost = curves_[static_cast<std::size_t>(w.trial)].epoch_cost + extra;
  events_.push(Event{now_ + cost, seq_++, worker});
}

void Simulation::on_epoch_done(int worker) {
  Worker& w = workers_[static_cast<std::size_t>(worker)];
  busy_ += now_ - w.epoch_start;
  const TrialRecord& t = trials_[static_cast<std::size_t>(w.trial)];
  const Curve& curve = curves_[static_cast<std::size_t>(w.trial)];
  if (curve.fail_epoch == t.epochs_run() + 1) {
    // The runner returns Failed without reporting the epoch.
    inbox_.push_back({MessageKind::End, worker,
                      {TrialOutcome::Kind::Failed,
                       "simulated failure at epoch " + std::to_string(t.epochs_run() + 1)}});
    inbox_.push_back({MessageKind::Ready, worker});
    return;
  }
  inbox_.push_back({MessageKind::Report, worker});
}

void Simulation::handle(const Message& message) {
  switch (message.kind) {
    case MessageKind::Report: on_report(message.worker); break;
    case MessageKind::End: on_trial_end(message.worker, message.outcome); break;
    case MessageKind::Ready: idle_.push_back(message.worker); break;
  }
}

void Simulation::on_report(int worker) {
  Worker& w = workers_[static_cast<std::size_t>(worker)];
  TrialRecord& t = trials_[static_cast<std::size_t>(w.trial)];
  const Curve& curve = curves_[static_cast<std::size_t>(t.id)];
  EpochResult r;
  r.epoch = t.epochs_run() + 1;
  std::vector<double>& progress = progress_[static_cast<std::size_t>(t.id)];
  if (settings_.objective.drifting) {
    progress.push_back(objective_.advance(progress.back(), t.current_params(), r.epoch));
    r.value = objective_.observed_progress(progress.back(), r.epoch, t.seed);
  } else {
    r.value = objective_.observed(curve, r.epoch, t.seed);
  }
  r.set_metric(config_.objective.metric, r.value);
  r.seconds = curve.epoch_cost;
  r.time = now_;
  // The simulated runner checkpoints every epoch, unless there are no checkpoints at all.
  r.checkpointed = !settings_.retrain_on_resume;
  ++epochs_;
  const int rung_before = t.rung;
  Verdict verdict = lifecycle::record_epoch(t, r, trials_, *sampler_, *scheduler_);
  ++epochs_recorded_;
  if (dispatch_.budget_spent.empty()) {
    dispatch_.budget_spent = lifecycle::spent_budget(config_.budget.seconds, config_.budget.epochs_total,
                                                     now_, epochs_recorded_);
  }
  verdict = lifecycle::within_budget(verdict, dispatch_, rung_before, t);

  if (r.epoch >= t.max_epochs) first_full_ = std::min(first_full_, now_);
  if (incumbent_id_ < 0 || is_better(r.value, incumbent_value_, config_.objective.direction)) {
    incumbent_id_ = t.id;
    incumbent_value_ = r.value;
    incumbent_.emplace_back(now_, settings_.objective.drifting
                                      ? objective_.truth_progress(progress.back())
                                      : objective_.truth(curve, config_.budget.epochs));
  }

  // After the last epoch of its assignment the worker ends the trial without asking.
  if (!lifecycle::awaits_verdict(r.epoch, w.end_epoch)) {
    inbox_.push_back({MessageKind::End, worker, {TrialOutcome::Kind::Finished, ""}});
  } else if (verdict == Verdict::Continue) {
    schedule_epoch(worker, 0.0);
    return;
  } else {
    inbox_.push_back({MessageKind::End, worker,
                      {verdict == Verdict::Stop ? TrialOutcome::Kind::Stopped
                                                : TrialOutcome::Kind::Paused, ""}});
  }
  inbox_.push_back({MessageKind::Ready, worker});
}

void Simulation::on_trial_end(int worker, const TrialOutcome& outcome) {
  Worker& w = workers_[static_cast<std::size_t>(worker)];
  TrialRecord& t = trials_[static_cast<std::size_t>(w.trial)];
  w.trial = -1;
  --running_;
  if (lifecycle::end_run(t, outcome, !settings_.retrain_on_resume) != lifecycle::RunEnd::Over) return;
  lifecycle::finish(t, now_, *scheduler_, *sampler_);
}

SimResult Simulation::result(const std::string& label) const {
  SimResult r;
  r.label = label;
  r.workers = settings_.workers;
  r.trials = static_cast<int>(trials_.size());
  r.epochs = epochs_;
  r.makespan = now_;
  r.busy = busy_;
  r.utilization = now_ > 0.0 ? busy_ / (settings_.workers * now_) : 0.0;
  r.budget_time = budget_time_ >= 0.0 ? budget_time_ : now_;
  const double busy_before = budget_time_ >= 0.0 ? busy_at_budget_ : busy_;
  r.steady_utilization = r.budget_time > 0.0 ? busy_before / (settings_.workers * r.budget_time) : 0.0;
  double cost = 0.0;
  for (const Curve& c : curves_) cost += c.epoch_cost;
  r.time_unit = config_.budget.epochs * (curves_.empty() ? settings_.objective.epoch_cost
                                                         : cost / static_cast<double>(curves_.size()));
  r.first_full = first_full_;
  r.direction = config_.objective.direction;
  for (const TrialRecord& t : trials_) {
    switch (t.status) {
      case TrialStatus::Completed: ++r.completed; break;
      case TrialStatus::Stopped: ++r.stopped; break;
      case TrialStatus::Paused: ++r.paused; break;
      case TrialStatus::Failed: ++r.failed; break;
      case TrialStatus::Running: break;
    }
    if (t.rung >= static_cast<int>(r.rungs.size())) r.rungs.resize(static_cast<std::size_t>(t.rung) + 1, 0);
    ++r.rungs[static_cast<std::size_t>(t.rung)];
  }
  r.incumbent = incumbent_;
  for (const TrialRecord& t : trials_) {
    if (t.epochs_run() < config_.budget.epochs) continue;
    const auto id = static_cast<std::size_t>(t.id);
    const double truth = settings_.objective.drifting
                             ? objective_.truth_progress(progress_[id][static_cast<std::size_t>(config_.budget.epochs)])
                             : objective_.truth(curves_[id], config_.budget.epochs);
    if (std::isnan(r.best_final) || is_better(truth, r.best_final, r.direction)) r.best_final = truth;
  }
  bool first = true;
  for (const Curve& c : curves_) {
    const double truth = objective_.truth(c, config_.budget.epochs);
    if (first || is_better(truth, r.best_truth, r.direction)) r.best_truth = truth;
    first = false;
  }
  if (settings_.objective.drifting) r.best_truth = r.best_final;
  return r;
}

SimResult simulate(const StudyConfig& config, const AlgorithmOptions& scheduler_options,
                   const SimSettings& settings, const std::string& label) {
  auto sampler = make_study_sampler(config);
  auto scheduler = make_scheduler(scheduler_options, config.budget.epochs, config.objective.direction,
                                  SchedulerContext{&config.space, config.seed, config.multi.objectives});
  Simulation simulation(config, *sampler, *scheduler, settings);
  simulation.run();
  return simulation.result(label);
}

}  // namespace rungs::sim
