#include "mpi_driver/coordinator.h"

#include <algorithm>
#include <cmath>
#include <ostream>

#include "mpi_driver/job_clock.h"
#include "mpi_driver/progress.h"
#include "schedulers/lifecycle.h"
#include "study/errors.h"

namespace rungs {

namespace {
double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

Coordinator::Coordinator(const StudyConfig& config, Sampler& sampler, Scheduler& scheduler,
                         Transport& transport, StudyRecorder& recorder, std::ostream& log,
                         CoordinatorOptions options)
    : config_(config),
      sampler_(sampler),
      scheduler_(scheduler),
      transport_(transport),
      recorder_(recorder),
      log_(log),
      options_(std::move(options)) {
  dispatch_ = lifecycle::dispatch_state(config_);
}

double Coordinator::elapsed() const {
  return elapsed_before_ + std::chrono::duration<double>(Clock::now() - started_).count();
}

void Coordinator::resume(ResumeState state) {
  trials_ = std::move(state.trials);
  elapsed_before_ = state.elapsed;
  start_time_ = state.start_time;
  test_ = state.test;
  for (auto& t : trials_) {
    if (t.status == TrialStatus::Running) orphans_.push_back(t.id);
    if (t.status == TrialStatus::Stopped && t.checkpoint_epoch > 0) {
      stopped_with_checkpoint_.push_back(t.id);
    }
  }
  scheduler_.rebuild(trials_);
  for (const auto& t : trials_) epochs_recorded_ += t.epochs_run();
}

void Coordinator::check_budget() {
  if (!dispatch_.budget_spent.empty()) return;
  dispatch_.budget_spent = lifecycle::spent_budget(config_.budget.seconds, config_.budget.epochs_total,
                                                   elapsed(), epochs_recorded_);
  if (dispatch_.budget_spent.empty()) return;
  log_ << elapsed_prefix(elapsed()) << dispatch_.budget_spent << ": no trial starts or resumes; "
       << (dispatch_.stop_when_spent ? "running trials stop after the epoch they are in"
                                     : "running trials go on to their next rung at most")
       << std::endl;
}

StudyEnd Coordinator::run() {
  try {
    return run_until_end();
  } catch (const StorageError& e) {
    // Nothing more can be recorded: what is on disk is the last commit, which every worker
    // acted on. Stop the workers without waiting for them (their reports could not be
    // recorded); their trials restart from their recorded checkpoints on the next run.
    if (halt_reason_.empty()) halt_reason_ = std::string("cannot record the study: ") + e.what();
    log_ << elapsed_prefix(elapsed()) << "stopping: " << halt_reason_ << std::endl;
    shutdown_workers();
    return StudyEnd::Interrupted;
  }
}

void Coordinator::halt(const std::string& reason) {
  if (!halt_reason_.empty()) return;
  halt_reason_ = reason;
  log_ << elapsed_prefix(elapsed()) << "stopping: " << reason << std::endl;
  if (!draining_) begin_drain();
}

StudyEnd Coordinator::run_until_end() {
  started_ = last_flush_ = last_summary_ = Clock::now();
  if (start_time_ == 0.0) start_time_ = unix_now();
  save("running");  // the study file exists (or is current) from the first moment on
  check_budget();   // a resumed study may have spent it already

  for (;;) {
    dispatch();
    commit_and_send();
    if (draining_ ? drained() : finished_ && running_.empty()) break;

    const auto next_tick = std::min(last_flush_ + options_.flush_interval,
                                    last_summary_ + options_.summary_interval);
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - Clock::now());
    // Everything that is already there forms one batch: one commit for all of it.
    if (auto envelope = transport_.receive(std::clamp(wait, std::chrono::milliseconds{1},
                                                      std::chrono::milliseconds{200}))) {
      handle(*envelope);
      while (auto more = transport_.receive(std::chrono::milliseconds{0})) handle(*more);
    }
    commit_and_send();
    periodic();
    if (!draining_ && options_.stop_requests && options_.stop_requests() > 0) begin_drain();
  }

  if (draining_) {
    // A worker still running a trial did not answer the interrupt within the grace time.
    if (!running_.empty()) unresponsive_ = true;
    log_ << elapsed_prefix(elapsed()) << "stopped: " << summary_line(trials_, config_)
         << "; run the same command again to resume" << std::endl;
    save("interrupted");
    shutdown_workers();
    return StudyEnd::Interrupted;
  }
  log_ << elapsed_prefix(elapsed()) << summary_line(trials_, config_) << std::endl;
  if (!test_ && options_.evaluate_test) evaluate_best();
  shutdown_workers();
  save("finished");
  return StudyEnd::Finished;
}

bool Coordinator::fits_before_stop(std::optional<double> seconds) const {
  if (!config_.durability.fit_limit || !options_.stop_at || !seconds) return true;
  return Clock::now() + std::chrono::duration<double>(*seconds) <= *options_.stop_at;
}

void Coordinator::stop_for_limit() {
  const double left = std::chrono::duration<double>(*options_.stop_at - Clock::now()).count();
  log_ << elapsed_prefix(elapsed()) << "no epoch fits in the " << static_cast<long>(std::max(left, 0.0))
       << " s left before the stop for the job's time limit (checkpoints.fit_limit)" << std::endl;
  begin_drain();
}

void Coordinator::dispatch() {
  while (!idle_.empty() && !draining_) {
    const int worker = idle_.front();
    if (!fits_before_stop(shortest_expected_epoch(trials_))) {
      if (running_.empty()) stop_for_limit();
      return;
    }
    if (!orphans_.empty()) {
      if (dispatch_orphan(worker)) idle_.pop_front();
      continue;
    }
    const lifecycle::Dispatch d = lifecycle::next_dispatch(
        dispatch_, trials_, sampler_, scheduler_, static_cast<int>(running_.size()), unix_now());
    // Parked trials are not done: the study ends for the limit, to go on in the next job.
    finished_ = d.kind == lifecycle::Dispatch::Kind::Finish && parked_.empty();
    if (d.kind == lifecycle::Dispatch::Kind::Finish && !parked_.empty() && running_.empty()) {
      stop_for_limit();
    }
    if (d.kind != lifecycle::Dispatch::Kind::Run) return;
    if (d.begun && d.begun->clone_trial >= 0 && options_.clone_checkpoint) {
      options_.clone_checkpoint(*d.trial, trials_[static_cast<std::size_t>(d.begun->clone_trial)],
                                d.begun->clone_epoch);
    }
    assign(worker, *d.trial, d.resume ? d.trial->checkpoint_epoch : 0, d.end_epoch);
    idle_.pop_front();
  }
}

bool Coordinator::dispatch_orphan(int worker) {
  TrialRecord& t = trials_[static_cast<std::size_t>(orphans_.front())];
  orphans_.pop_front();
  if (t.lost >= options_.max_attempts) {
    t.status = TrialStatus::Failed;
    t.reason = "its worker was killed " + std::to_string(t.lost) +
               " times while running it (max_attempts)";
    changed(t);
    finish_trial(t);
    return false;
  }
  // Epochs past the checkpoint are trained again: drop their old results so that no
  // (trial, epoch) is ever recorded twice.
  t.curve.resize(static_cast<std::size_t>(std::min(t.epochs_run(), t.checkpoint_epoch)));
  assign(worker, t, t.checkpoint_epoch, t.max_epochs);
  return true;
}

TrialAssignment Coordinator::assignment(const TrialRecord& t, int start_epoch, int end_epoch) const {
  TrialAssignment a;
  a.trial_id = t.id;
  a.params = config_.fixed;
  for (const auto& [name, value] : t.current_params()) a.params[name] = value;
  a.seed = t.seed;
  a.start_epoch = start_epoch;
  a.end_epoch = end_epoch;
  a.checkpoint = config_.output_dir + "/checkpoints/trial_" + std::to_string(t.id);
  a.checkpoint_every = config_.durability.checkpoint_every;
  return a;
}

void Coordinator::assign(int worker, TrialRecord& t, int start_epoch, int end_epoch) {
  lifecycle::begin_run(t, worker);
  ++t.lost;  // durable before the worker starts: a run that kills its worker is counted
  running_[t.id] = Running{end_epoch, Clock::now()};
  changed(t);
  send_after_commit(worker, protocol::Assign{assignment(t, start_epoch, end_epoch)});
}

TrialRecord& Coordinator::running_trial(int id, int worker) {
  if (id < 0 || id >= static_cast<int>(trials_.size()) || !running_.count(id)) {
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
    recorder_.commit();
    save("running");
    throw Error("rank " + std::to_string(worker) + " cannot run trials: " + fatal->reason);
  } else {
    throw MpiError(std::string("coordinator got an unexpected ") +
                   protocol::to_string(protocol::kind_of(message)) + " from rank " +
                   std::to_string(worker));
  }
}

void Coordinator::on_epoch(int worker, const protocol::EpochReport& report) {
  TrialRecord& t = running_trial(report.trial_id, worker);
  const std::string problem = lifecycle::epoch_problem(t, report.result.epoch);
  if (!problem.empty()) throw MpiError("rank " + std::to_string(worker) + " reported " + problem);
  EpochResult result = report.result;
  result.time = elapsed();
  const int rung_before = t.rung;
  Verdict verdict = lifecycle::record_epoch(t, std::move(result), trials_, sampler_, scheduler_);
  ++epochs_recorded_;
  check_budget();
  verdict = lifecycle::within_budget(verdict, dispatch_, rung_before, t);
  Running& running = running_.at(t.id);
  if (verdict == Verdict::Continue && lifecycle::awaits_verdict(report.result.epoch, running.end_epoch) &&
      !fits_before_stop(expected_epoch_seconds(t))) {
    // Paused at its checkpoint rather than cut off in the middle of its next epoch.
    verdict = Verdict::Pause;
    parked_.insert(t.id);
    log_ << elapsed_prefix(elapsed()) << "trial " << t.id << " waits for the next job after epoch "
         << report.result.epoch << ": its next epoch would not end before the stop for the job's "
         << "time limit (checkpoints.fit_limit)" << std::endl;
  }
  recorder_.epoch_added(t, t.curve.back());
  changed(t);
  // After the last epoch of an assignment the worker ends the trial without asking.
  running.heard = Clock::now();
  if (lifecycle::awaits_verdict(report.result.epoch, running.end_epoch)) {
    send_after_commit(worker, protocol::Decision{t.id, verdict});
  }
}

void Coordinator::on_trial_end(int worker, const protocol::TrialEnd& end) {
  TrialRecord& t = running_trial(end.trial_id, worker);
  running_.erase(t.id);
  --t.lost;  // the worker reported the end: this run was not lost, whatever its outcome
  const lifecycle::RunEnd run_end = lifecycle::end_run(t, end.outcome);
  if (run_end == lifecycle::RunEnd::Paused && parked_.count(t.id)) {
    lifecycle::park(t);
    changed(t);
    return;
  }
  switch (run_end) {
    case lifecycle::RunEnd::Over: finish_trial(t); return;
    case lifecycle::RunEnd::Paused: changed(t); return;
    case lifecycle::RunEnd::Running: break;
  }
  changed(t);
  if (end.outcome.kind == TrialOutcome::Kind::Interrupted) {
    // Stays running: the next run restarts it from its checkpoint.
    if (!draining_) orphans_.push_back(t.id);
    return;
  }
  // Halted: not the trial's fault, and every trial would meet it: stop the study, keep the
  // trial running (resumable from its last recorded checkpoint) for the next run.
  halt("rank " + std::to_string(worker) + ", trial " + std::to_string(t.id) + ": " +
       end.outcome.reason);
}

void Coordinator::finish_trial(TrialRecord& t) {
  lifecycle::finish(t, unix_now(), scheduler_, sampler_);
  changed(t);
  log_ << elapsed_prefix(elapsed()) << trial_line(t, trials_, config_) << std::endl;
  if (t.status == TrialStatus::Stopped && t.checkpoint_epoch > 0) {
    stopped_with_checkpoint_.push_back(t.id);
    prune_stopped_checkpoints();
  }
}

void Coordinator::prune_stopped_checkpoints() {
  if (!options_.discard_checkpoints) return;
  // Only the kept few are looked at: the loop stays O(K) per stopped trial, however many
  // trials the study has.
  const auto keep = static_cast<std::size_t>(std::max(0, options_.keep_stopped_checkpoints));
  const Direction direction = config_.objective.direction;
  const auto value = [&](int id) {
    return trials_[static_cast<std::size_t>(id)].best_value(direction).value_or(NAN);
  };
  while (stopped_with_checkpoint_.size() > keep) {
    const auto worst = std::min_element(
        stopped_with_checkpoint_.begin(), stopped_with_checkpoint_.end(),
        [&](int a, int b) { return is_better(value(b), value(a), direction); });
    TrialRecord& t = trials_[static_cast<std::size_t>(*worst)];
    stopped_with_checkpoint_.erase(worst);
    t.checkpoint_epoch = 0;  // recorded first: a listed checkpoint always exists
    changed(t);
    options_.discard_checkpoints(t);
  }
}

void Coordinator::begin_drain() {
  draining_ = true;
  drain_deadline_ = Clock::now() + options_.grace;
  log_ << elapsed_prefix(elapsed()) << "stop requested: interrupting " << running_.size()
       << " running trials and saving the study" << std::endl;
  for (const auto& [id, running] : running_) {
    send_after_commit(trials_[static_cast<std::size_t>(id)].worker, protocol::Interrupt{});
  }
  commit_and_send();
}

bool Coordinator::drained() const {
  return running_.empty() || Clock::now() >= drain_deadline_ ||
         (options_.stop_requests && options_.stop_requests() > 1);
}

void Coordinator::evaluate_best() {
  const TrialRecord* best = best_trial(trials_, config_.objective.direction);
  if (!best || idle_.empty()) return;
  const int worker = idle_.front();
  TrialAssignment a = assignment(*best, best->epochs_run(), best->epochs_run());
  transport_.send(worker, protocol::encode(protocol::Evaluate{a}));
  const auto deadline = Clock::now() + options_.report_timeout;
  for (;;) {
    auto envelope = transport_.receive(std::chrono::milliseconds{1000});
    if (!envelope) {
      if (options_.report_timeout.count() <= 0 || Clock::now() < deadline) continue;
      log_ << elapsed_prefix(elapsed()) << "warning: test evaluation of trial " << best->id
           << " on rank " << worker << ": no answer within "
           << options_.report_timeout.count() / 1000
           << " s (preemption.report_timeout_seconds); run again to evaluate it" << std::endl;
      unresponsive_ = true;
      return;
    }
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
  if (std::exchange(workers_shut_down_, true)) return;
  for (int r = 0; r < transport_.size(); ++r) {
    if (r != transport_.rank()) transport_.send(r, protocol::encode(protocol::Shutdown{}));
  }
}

void Coordinator::watch_running(Clock::time_point now) {
  if (options_.report_timeout.count() <= 0 || draining_) return;
  for (const auto& [id, running] : running_) {
    if (now - running.heard < options_.report_timeout) continue;
    const TrialRecord& t = trials_[static_cast<std::size_t>(id)];
    halt("trial " + std::to_string(id) + " on rank " + std::to_string(t.worker) +
         " sent no report for " + std::to_string(options_.report_timeout.count() / 1000) +
         " s (preemption.report_timeout_seconds); its worker is taken for hung");
    return;
  }
}

void Coordinator::periodic() {
  const auto now = Clock::now();
  check_budget();
  if (options_.stop_at && now >= *options_.stop_at && !draining_) {
    log_ << elapsed_prefix(elapsed()) << options_.stop_at_reason << std::endl;
    begin_drain();
  }
  watch_running(now);
  if (dirty_ && now - last_flush_ >= options_.flush_interval) save("running");
  if (now - last_summary_ >= options_.summary_interval) {
    log_ << elapsed_prefix(elapsed()) << summary_line(trials_, config_) << std::endl;
    last_summary_ = now;
  }
}

void Coordinator::changed(const TrialRecord& trial) {
  recorder_.trial_changed(trial);
  dirty_ = true;
}

void Coordinator::send_after_commit(int worker, const protocol::Message& message) {
  outbox_.emplace_back(worker, protocol::encode(message));
}

void Coordinator::commit_and_send() {
  if (outbox_.empty() && !dirty_) return;
  recorder_.commit();
  for (const auto& [worker, bytes] : outbox_) transport_.send(worker, bytes);
  outbox_.clear();
}

void Coordinator::save(const char* state) {
  StudySnapshot s;
  s.config = &config_;
  s.trials = &trials_;
  s.state = state;
  s.slurm_job_id = options_.slurm_job_id;
  s.start_time = start_time_;
  s.elapsed = elapsed();
  s.test = test_;
  s.sampler_state = sampler_.save_state();
  recorder_.snapshot(s);
  dirty_ = false;
  last_flush_ = Clock::now();
}

}  // namespace rungs
