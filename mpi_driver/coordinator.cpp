#include "mpi_driver/coordinator.h"

#include <algorithm>
#include <ostream>

#include "mpi_driver/progress.h"
#include "study/errors.h"
#include "study/seed.h"

namespace rungs {

namespace {
double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

Coordinator::Coordinator(const StudyConfig& config, Sampler& sampler, Scheduler& scheduler,
                         Transport& transport, Persist persist, std::ostream& log,
                         CoordinatorOptions options)
    : config_(config),
      sampler_(sampler),
      scheduler_(scheduler),
      transport_(transport),
      persist_(std::move(persist)),
      log_(log),
      options_(options) {}

double Coordinator::elapsed() const {
  return std::chrono::duration<double>(Clock::now() - started_).count();
}

void Coordinator::run() {
  started_ = last_flush_ = last_summary_ = Clock::now();
  start_time_ = unix_now();
  save("running");  // the study file exists from the first moment on

  for (;;) {
    dispatch();
    if (finished_ && end_epoch_.empty()) break;
    const auto next_tick = std::min(last_flush_ + options_.flush_interval,
                                    last_summary_ + options_.summary_interval);
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - Clock::now());
    if (auto envelope = transport_.receive(std::max(wait, std::chrono::milliseconds{1}))) {
      handle(*envelope);
    }
    periodic();
  }
  log_ << elapsed_prefix(elapsed()) << summary_line(trials_, config_) << std::endl;
  evaluate_best();
  shutdown_workers();
  save("finished");
}

void Coordinator::dispatch() {
  while (!idle_.empty()) {
    const int running = static_cast<int>(end_epoch_.size());
    const bool can_start = !sampler_exhausted_ &&
                           static_cast<int>(trials_.size()) < config_.budget.max_trials;
    const NextAction action = scheduler_.next(SchedulerView{trials_, can_start, running});
    finished_ = action.kind == NextAction::Kind::Finish;
    if (action.kind == NextAction::Kind::Wait || finished_) return;

    const int worker = idle_.front();
    if (action.kind == NextAction::Kind::StartTrial) {
      const int id = static_cast<int>(trials_.size());
      std::optional<Params> params = sampler_.suggest(id, trials_);
      if (!params) {
        sampler_exhausted_ = true;
        continue;
      }
      TrialRecord t;
      t.id = id;
      t.params = std::move(*params);
      t.seed = derive_seed(config_.seed, kTrialStream + static_cast<std::uint64_t>(id));
      t.max_epochs = action.epochs;
      t.start_time = unix_now();
      trials_.push_back(std::move(t));
      scheduler_.on_trial_start(trials_.back());
      assign(worker, trials_.back(), 0, action.epochs);
    } else {
      TrialRecord& t = trials_.at(static_cast<std::size_t>(action.trial_id));
      if (t.status != TrialStatus::Paused) {
        throw Error("scheduler asked to resume trial " + std::to_string(t.id) + ", which is " +
                    to_string(t.status));
      }
      assign(worker, t, t.epochs_run(), action.epochs);
    }
    idle_.pop_front();
  }
}

TrialAssignment Coordinator::assignment(const TrialRecord& t, int start_epoch, int end_epoch) const {
  TrialAssignment a;
  a.trial_id = t.id;
  a.params = config_.fixed;
  for (const auto& [name, value] : t.params) a.params[name] = value;
  a.seed = t.seed;
  a.start_epoch = start_epoch;
  a.end_epoch = end_epoch;
  a.checkpoint = config_.output_dir + "/checkpoints/trial_" + std::to_string(t.id) + ".pt";
  return a;
}

void Coordinator::assign(int worker, TrialRecord& t, int start_epoch, int end_epoch) {
  t.status = TrialStatus::Running;
  t.worker = worker;
  end_epoch_[t.id] = end_epoch;
  transport_.send(worker, protocol::encode(protocol::Assign{assignment(t, start_epoch, end_epoch)}));
  dirty_ = true;
}

TrialRecord& Coordinator::trial(int id, int worker) {
  if (id < 0 || id >= static_cast<int>(trials_.size()) || !end_epoch_.count(id)) {
    throw MpiError("rank " + std::to_string(worker) + " reported on trial " + std::to_string(id) +
                   ", which is not running");
  }
  return trials_[static_cast<std::size_t>(id)];
}

void Coordinator::handle(const Envelope& envelope) {
  const protocol::Message message = protocol::decode(envelope.bytes);
  const int worker = envelope.source;
  if (std::holds_alternative<protocol::Ready>(message)) {
    idle_.push_back(worker);
  } else if (auto* report = std::get_if<protocol::EpochReport>(&message)) {
    on_epoch(worker, *report);
  } else if (auto* end = std::get_if<protocol::TrialEnd>(&message)) {
    on_trial_end(worker, *end);
  } else if (auto* fatal = std::get_if<protocol::Fatal>(&message)) {
    save("running");
    throw Error("rank " + std::to_string(worker) + " cannot run trials: " + fatal->reason);
  } else {
    throw MpiError(std::string("coordinator got an unexpected ") +
                   protocol::to_string(protocol::kind_of(message)) + " from rank " +
                   std::to_string(worker));
  }
}

void Coordinator::on_epoch(int worker, const protocol::EpochReport& report) {
  TrialRecord& t = trial(report.trial_id, worker);
  EpochResult result = report.result;
  result.time = elapsed();
  t.curve.push_back(result);
  sampler_.on_report(t);
  const Verdict verdict = scheduler_.on_report(t, trials_);
  t.rung = std::max(t.rung, scheduler_.rung_of(t));
  dirty_ = true;
  // After the last epoch of an assignment the worker ends the trial without asking.
  if (result.epoch < end_epoch_.at(t.id)) {
    transport_.send(worker, protocol::encode(protocol::Decision{t.id, verdict}));
  }
}

void Coordinator::on_trial_end(int worker, const protocol::TrialEnd& end) {
  TrialRecord& t = trial(end.trial_id, worker);
  end_epoch_.erase(t.id);
  const bool all_epochs = t.epochs_run() >= t.max_epochs;
  switch (end.outcome.kind) {
    case TrialOutcome::Kind::Finished:
      t.status = all_epochs ? TrialStatus::Completed : TrialStatus::Paused;
      break;
    case TrialOutcome::Kind::Stopped:
      t.status = all_epochs ? TrialStatus::Completed : TrialStatus::Stopped;
      break;
    case TrialOutcome::Kind::Paused:
      t.status = TrialStatus::Paused;
      break;
    case TrialOutcome::Kind::Failed:
      t.status = TrialStatus::Failed;
      t.reason = end.outcome.reason;
      break;
  }
  dirty_ = true;
  if (t.status == TrialStatus::Paused) return;
  t.end_time = unix_now();
  scheduler_.on_trial_end(t);
  sampler_.on_trial_end(t);
  log_ << elapsed_prefix(elapsed()) << trial_line(t, trials_, config_) << std::endl;
}

void Coordinator::evaluate_best() {
  const TrialRecord* best = best_trial(trials_, config_.objective.direction);
  if (!best || idle_.empty()) return;
  const int worker = idle_.front();
  TrialAssignment a = assignment(*best, best->epochs_run(), best->epochs_run());
  transport_.send(worker, protocol::encode(protocol::Evaluate{a}));
  for (;;) {
    auto envelope = transport_.receive(std::chrono::milliseconds{1000});
    if (!envelope) continue;
    const protocol::Message message = protocol::decode(envelope->bytes);
    if (auto* report = std::get_if<protocol::TestReport>(&message)) {
      if (report->error.empty()) {
        test_ = report->result;
        log_ << elapsed_prefix(elapsed()) << "test accuracy of the best trial (" << best->id
             << "): " << report->result.accuracy << std::endl;
      } else {
        log_ << elapsed_prefix(elapsed()) << "warning: test evaluation of trial " << best->id
             << " failed: " << report->error << std::endl;
      }
      return;
    }
    if (std::holds_alternative<protocol::Ready>(message)) continue;
    throw MpiError(std::string("coordinator got an unexpected ") +
                   protocol::to_string(protocol::kind_of(message)) + " while evaluating");
  }
}

void Coordinator::shutdown_workers() {
  for (int r = 0; r < transport_.size(); ++r) {
    if (r != transport_.rank()) transport_.send(r, protocol::encode(protocol::Shutdown{}));
  }
}

void Coordinator::periodic() {
  const auto now = Clock::now();
  if (dirty_ && now - last_flush_ >= options_.flush_interval) save("running");
  if (now - last_summary_ >= options_.summary_interval) {
    log_ << elapsed_prefix(elapsed()) << summary_line(trials_, config_) << std::endl;
    last_summary_ = now;
  }
}

void Coordinator::save(const char* state) {
  StudySnapshot s;
  s.config = &config_;
  s.trials = &trials_;
  s.state = state;
  s.start_time = start_time_;
  s.elapsed = elapsed();
  s.test = test_;
  s.sampler_state = sampler_.save_state();
  persist_(s);
  dirty_ = false;
  last_flush_ = Clock::now();
}

}  // namespace rungs
