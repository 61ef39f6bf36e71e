// The coordinator and worker loops together, one thread per rank over in-process queues.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>
#include <sstream>
#include <mutex>
#include <thread>

#include "mpi_driver/coordinator.h"
#include "mpi_driver/local_transport.h"
#include "mpi_driver/worker.h"
#include "samplers/enqueued_sampler.h"
#include "study/errors.h"

namespace rungs {
namespace {

const char* kStudy = R"(
name: t
seed: 5
objective: {model: mlp, metric: val_accuracy}
search_space:
  lr: {type: float, low: 1.0e-4, high: 1.0, log: true}
fixed: {layers: 1}
budget: {max_trials: 12, epochs: 4}
)";

/// Promotion-based ASHA with rungs at 1, 2 and 4 epochs: a trial that reaches 4 epochs was
/// dispatched three times.
const char* kPromotionStudy = R"(
name: t
seed: 5
objective: {model: mlp, metric: val_accuracy}
search_space:
  lr: {type: float, low: 1.0e-4, high: 1.0e-1, log: true}
fixed: {layers: 1}
scheduler: {name: asha, min_resource: 1, reduction_factor: 2, mode: promotion}
budget: {max_trials: 12, epochs: 4}
)";

/// Accuracy peaks at lr = 1e-2 and grows with epochs; lr above 0.3 "diverges".
class SyntheticRunner : public TrialRunner {
 public:
  SyntheticRunner() = default;
  /// Trains nothing until `workers` runners exist: every worker has asked for work before
  /// the first trial can end, so trials spread over all of them whatever the machine's load.
  SyntheticRunner(const std::atomic<int>* started, int workers) : started_(started), workers_(workers) {}

  TrialOutcome run(const TrialAssignment& t, const EpochCallback& on_epoch,
                   const InterruptCheck& should_stop) override {
    while (started_ && started_->load() < workers_) std::this_thread::yield();
    const double lr = std::get<double>(t.params.at("lr"));
    if (!t.params.count("layers")) return {TrialOutcome::Kind::Failed, "fixed params not merged"};
    for (int e = t.start_epoch + 1; e <= t.end_epoch; ++e) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (should_stop()) {
        ++interrupted_runs;
        return {TrialOutcome::Kind::Interrupted, ""};
      }
      if (lr > 0.3 && e == 2) return {TrialOutcome::Kind::Failed, "loss became nan at epoch 2"};
      EpochResult r;
      r.epoch = e;
      r.value = 0.9 - 0.05 * std::pow(std::log10(lr) + 2, 2) - 0.1 / e;
      r.checkpointed = true;  // as the trainer does with checkpoint_every: 1
      // What the worker says the epoch took (fixed.sim_seconds), for checkpoints.fit_limit.
      if (t.params.count("sim_seconds")) r.seconds = std::get<double>(t.params.at("sim_seconds"));
      const Verdict v = on_epoch(r);
      if (v == Verdict::Stop && e < t.end_epoch) return {TrialOutcome::Kind::Stopped, ""};
      if (v == Verdict::Pause && e < t.end_epoch) return {TrialOutcome::Kind::Paused, ""};
    }
    return {TrialOutcome::Kind::Finished, ""};
  }
  TestResult evaluate_test(const TrialAssignment& t) override {
    return {t.trial_id, 0.5 + std::get<double>(t.params.at("lr")), 0.1};
  }
  /// Runs cut off in the middle of an epoch, over every runner.
  static inline std::atomic<int> interrupted_runs{0};

 private:
  const std::atomic<int>* started_ = nullptr;
  int workers_ = 0;
};

/// fifo, except that trials whose second epoch is below 0.8 stop there.
class StopBadAtTwo : public Scheduler {
 public:
  NextAction next(const SchedulerView& v) override {
    if (v.can_start_new) return {NextAction::Kind::StartTrial, -1, 4};
    return {v.running ? NextAction::Kind::Wait : NextAction::Kind::Finish, -1, 0};
  }
  Verdict on_report(const TrialRecord& t, const std::vector<TrialRecord>&) override {
    return t.epochs_run() == 2 && t.curve.back().value < 0.8 ? Verdict::Stop : Verdict::Continue;
  }
};

/// Keeps what was committed, as a study file would after a crash.
class MemoryRecorder : public StudyRecorder {
 public:
  explicit MemoryRecorder(std::vector<TrialRecord> durable = {}) : durable_(std::move(durable)) {}
  void trial_changed(const TrialRecord& t) override { pending_.push_back(t); }
  void epoch_added(const TrialRecord& t, const EpochResult&) override { pending_.push_back(t); }
  void commit() override {
    if (commits_ == fail_at_commit) {
      throw StorageError("runs/t/study.h5.journal: write failed: No space left on device");
    }
    ++commits_;
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& t : pending_) {
      if (t.id >= static_cast<int>(durable_.size())) durable_.resize(static_cast<std::size_t>(t.id) + 1);
      durable_[static_cast<std::size_t>(t.id)] = t;
    }
    pending_.clear();
    history.push_back(durable_);
  }
  void snapshot(const StudySnapshot& s) override {
    commit();
    std::lock_guard<std::mutex> lock(mutex_);
    states.push_back(s.state);
  }
  /// Epochs of `trial` that are durable now.
  int durable_epochs(int trial) {
    std::lock_guard<std::mutex> lock(mutex_);
    return trial < static_cast<int>(durable_.size()) ? durable_[static_cast<std::size_t>(trial)].epochs_run() : 0;
  }
  std::vector<std::string> states;
  int fail_at_commit = -1;  ///< this commit (0-based) and every later one throw StorageError
  /// What was durable after each commit: what a kill at that moment would leave.
  std::vector<std::vector<TrialRecord>> history;

 private:
  std::mutex mutex_;
  std::vector<TrialRecord> pending_;
  std::vector<TrialRecord> durable_;
  int commits_ = 0;
};

struct StudyRun {
  std::vector<TrialRecord> trials;
  std::optional<TestResult> test;
  std::vector<std::string> saved_states;
  std::vector<std::vector<TrialRecord>> history;
  std::string log;
  StudyEnd end = StudyEnd::Finished;
  std::string halt_reason;
};

StudyRun run_study(int workers, Scheduler* scheduler_override = nullptr, bool broken_worker = false,
                   CoordinatorOptions options = {}, const char* study = kStudy,
                   std::optional<ResumeState> resume = std::nullopt, int fail_at_commit = -1) {
  const StudyConfig config = parse_study_config(study, "t.yaml");
  auto sampler = make_study_sampler(config);
  auto scheduler = make_scheduler(config.scheduler, config.budget.epochs, config.objective.direction);
  LocalNetwork net(workers + 1);
  std::vector<std::thread> threads;
  std::atomic<int> started{broken_worker ? workers : 0};
  for (int r = 1; r <= workers; ++r) {
    threads.emplace_back([&net, &started, r, workers, broken_worker] {
      WorkerLoop worker(net.endpoint(r), [&]() -> std::unique_ptr<TrialRunner> {
        if (broken_worker && r == 1) throw IoError("data/train.gz: no such file");
        ++started;
        return std::make_unique<SyntheticRunner>(&started, workers);
      });
      worker.run();
    });
  }
  StudyRun out;
  std::ostringstream log;
  MemoryRecorder recorder(resume ? resume->trials : std::vector<TrialRecord>{});
  recorder.fail_at_commit = fail_at_commit;
  Coordinator coordinator(config, *sampler, scheduler_override ? *scheduler_override : *scheduler,
                          net.endpoint(0), recorder, log, options);
  if (resume) coordinator.resume(std::move(*resume));
  try {
    out.end = coordinator.run();
  } catch (...) {
    for (int r = 1; r <= workers; ++r) {
      net.endpoint(0).send(r, protocol::encode(protocol::Shutdown{}));
    }
    for (auto& t : threads) t.join();
    throw;
  }
  for (auto& t : threads) t.join();
  out.trials = coordinator.trials();
  out.test = coordinator.test();
  out.log = log.str();
  out.saved_states = recorder.states;
  out.history = recorder.history;
  out.halt_reason = coordinator.halt_reason();
  return out;
}

TEST(Coordinator, RunsEveryTrialRecordsFailuresAndEvaluatesTheBest) {
  const StudyRun run = run_study(3);
  ASSERT_EQ(run.trials.size(), 12u);
  std::set<int> workers;
  int failed = 0;
  for (const auto& t : run.trials) {
    workers.insert(t.worker);
    if (std::get<double>(t.params.at("lr")) > 0.3) {
      EXPECT_EQ(t.status, TrialStatus::Failed);
      EXPECT_EQ(t.reason, "loss became nan at epoch 2");
      EXPECT_EQ(t.epochs_run(), 1);
      ++failed;
    } else {
      EXPECT_EQ(t.status, TrialStatus::Completed) << t.id;
      EXPECT_EQ(t.epochs_run(), 4);
      EXPECT_EQ(t.curve.back().epoch, 4);
    }
    EXPECT_GE(t.end_time, t.start_time);
  }
  EXPECT_GT(failed, 0) << "the seed should draw a diverging lr";
  EXPECT_EQ(workers, (std::set<int>{1, 2, 3})) << "work spreads over every worker";

  const TrialRecord* best = best_trial(run.trials, Direction::Maximize);
  ASSERT_NE(best, nullptr);
  for (const auto& t : run.trials) {
    if (t.status == TrialStatus::Failed) continue;
    EXPECT_LE(*t.best_value(Direction::Maximize), *best->best_value(Direction::Maximize));
  }
  ASSERT_TRUE(run.test.has_value());
  EXPECT_EQ(run.test->trial_id, best->id);
  EXPECT_DOUBLE_EQ(run.test->accuracy, 0.5 + std::get<double>(best->params.at("lr")));

  ASSERT_GE(run.saved_states.size(), 2u);
  EXPECT_EQ(run.saved_states.front(), "running");
  EXPECT_EQ(run.saved_states.back(), "finished");
  EXPECT_NE(run.log.find("trial 0 "), std::string::npos);
  EXPECT_NE(run.log.find("12/12 trials done"), std::string::npos) << run.log;
}

TEST(Coordinator, AtStopAtTheStudySavesItselfAsIfSignalled) {
  // preemption.before_limit_seconds: the moment is already past, so the first look at the
  // clock (after the first trials are dispatched, before any more can be) stops the study.
  CoordinatorOptions options;
  options.stop_at = std::chrono::steady_clock::now();
  options.stop_at_reason = "the Slurm job's time limit is 60 s away (preemption.before_limit_seconds)";
  const StudyRun run = run_study(2, nullptr, false, options);
  EXPECT_EQ(run.end, StudyEnd::Interrupted);
  ASSERT_FALSE(run.saved_states.empty());
  EXPECT_EQ(run.saved_states.back(), "interrupted");
  EXPECT_LT(run.trials.size(), 12u);
  EXPECT_NE(run.log.find("the Slurm job's time limit is 60 s away (preemption.before_limit_seconds)\n"),
            std::string::npos)
      << run.log;
  EXPECT_NE(run.log.find("run the same command again to resume"), std::string::npos) << run.log;
}

TEST(Coordinator, ASpentEpochBudgetStartsNothingMoreAndFinishes) {
  // fifo, 12 trials of 4 epochs on 3 workers; budget.epochs_total 6 is spent with at most 3
  // trials running, which then run to their end (fifo has no rungs).
  std::string study = kStudy;
  const std::string epochs = "epochs: 4";
  ASSERT_NE(study.find(epochs), std::string::npos);
  study.replace(study.find(epochs), epochs.size(), "epochs: 4, epochs_total: 6");
  const StudyRun run = run_study(3, nullptr, false, {}, study.c_str());
  EXPECT_EQ(run.end, StudyEnd::Finished);
  EXPECT_LE(run.trials.size(), 9u) << "at most 6 one-epoch trials, then 3 running";
  long epochs_recorded = 0;
  for (const auto& t : run.trials) {
    EXPECT_TRUE(t.status == TrialStatus::Completed || t.status == TrialStatus::Failed) << t.id;
    epochs_recorded += t.epochs_run();
  }
  EXPECT_GE(epochs_recorded, 6);
  EXPECT_NE(run.log.find("budget.epochs_total (6) spent: no trial starts or resumes"), std::string::npos)
      << run.log;
  ASSERT_FALSE(run.saved_states.empty());
  EXPECT_EQ(run.saved_states.back(), "finished");

  // Resumed with a larger budget, the finished study goes on.
  std::string larger = study;
  larger.replace(larger.find("epochs_total: 6"), 15, "epochs_total: 30");
  ResumeState state;
  state.trials = run.trials;
  state.elapsed = 10.0;
  const StudyRun more = run_study(3, nullptr, false, {}, larger.c_str(), state);
  EXPECT_GT(more.trials.size(), run.trials.size());
  EXPECT_EQ(more.end, StudyEnd::Finished);
}

TEST(Coordinator, WithFitLimitNoEpochIsStartedThatCannotEndBeforeTheStop) {
  // Epochs are said to take 2000 s and the stop is 1500 s away: each trial's first epoch
  // runs (nothing is measured before it), then the trial waits at its checkpoint for the
  // next job instead of being cut off mid-epoch, no new trial starts, and the study stops
  // for the limit as soon as nothing runs.
  std::string study = std::string(kStudy) +
                      "checkpoints: {fit_limit: true}\npreemption: {before_limit_seconds: 60}\n";
  study.replace(study.find("fixed: {layers: 1}"), 18, "fixed: {layers: 1, sim_seconds: 2000.0}");
  CoordinatorOptions options;
  options.stop_at = std::chrono::steady_clock::now() + std::chrono::seconds(1500);
  options.stop_at_reason = "the Slurm job's time limit is 60 s away (preemption.before_limit_seconds)";
  SyntheticRunner::interrupted_runs = 0;
  const StudyRun run = run_study(3, nullptr, false, options, study.c_str());
  EXPECT_EQ(run.end, StudyEnd::Interrupted);
  EXPECT_EQ(SyntheticRunner::interrupted_runs.load(), 0) << "no run was cut off in an epoch";
  ASSERT_GE(run.trials.size(), 1u);
  EXPECT_LE(run.trials.size(), 3u) << "no trial started once an epoch was known not to fit";
  for (const auto& t : run.trials) {
    if (t.status == TrialStatus::Failed) continue;  // a diverging lr fails at epoch 2 at most
    EXPECT_EQ(t.status, TrialStatus::Running) << t.id;
    EXPECT_EQ(t.epochs_run(), 1) << t.id;
    EXPECT_EQ(t.checkpoint_epoch, 1) << t.id << ": resumable from the epoch it waited at";
  }
  EXPECT_NE(run.log.find("waits for the next job after epoch 1"), std::string::npos) << run.log;
  EXPECT_NE(run.log.find("no epoch fits in the "), std::string::npos) << run.log;
  EXPECT_EQ(run.log.find("preemption.before_limit_seconds)\n"), std::string::npos)
      << "stopped before the limit itself: " << run.log;
  ASSERT_FALSE(run.saved_states.empty());
  EXPECT_EQ(run.saved_states.back(), "interrupted");

  // The next job, with time to spare, goes on from each checkpoint: epoch 1 (2000 s in the
  // record) is not trained again, and every trial ends.
  std::string next = study;
  next.replace(next.find("sim_seconds: 2000.0"), 19, "sim_seconds: 1.0");
  options.stop_at = std::chrono::steady_clock::now() + std::chrono::hours(1);
  ResumeState state;
  state.trials = run.trials;
  const StudyRun more = run_study(3, nullptr, false, options, next.c_str(), state);
  EXPECT_EQ(more.end, StudyEnd::Finished);
  EXPECT_EQ(more.trials.size(), 12u);
  for (const auto& t : more.trials) {
    if (t.status == TrialStatus::Failed) continue;
    EXPECT_EQ(t.status, TrialStatus::Completed) << t.id;
    ASSERT_EQ(t.epochs_run(), 4) << t.id;
    if (t.id < static_cast<int>(run.trials.size())) {
      EXPECT_EQ(t.curve[0].seconds, 2000.0) << t.id;
    }
  }
}

TEST(Coordinator, WhenSpentStopStopsRunningTrialsAfterTheirEpoch) {
  // budget.when_spent: stop. 6 epochs in all; the trials running then stop after the epoch
  // they are in, where fifo would have run them to 4.
  std::string study = kStudy;
  study.replace(study.find("epochs: 4"), 9, "epochs: 4, epochs_total: 6, when_spent: stop");
  const StudyRun run = run_study(3, nullptr, false, {}, study.c_str());
  EXPECT_EQ(run.end, StudyEnd::Finished);
  long epochs_recorded = 0;
  int stopped = 0;
  for (const auto& t : run.trials) {
    epochs_recorded += t.epochs_run();
    if (t.status == TrialStatus::Stopped) ++stopped;
  }
  EXPECT_GE(epochs_recorded, 6);
  EXPECT_LE(epochs_recorded, 6 + 2) << "no more than one more epoch for each other worker";
  EXPECT_GT(stopped, 0);
  EXPECT_NE(run.log.find("running trials stop after the epoch they are in"), std::string::npos) << run.log;
}

TEST(Coordinator, OneWorkerIsEnough) {
  const StudyRun run = run_study(1);
  EXPECT_EQ(run.trials.size(), 12u);
  for (const auto& t : run.trials) EXPECT_EQ(t.worker, 1);
}

TEST(Coordinator, SchedulerVerdictsStopTrials) {
  StopBadAtTwo scheduler;
  const StudyRun run = run_study(2, &scheduler);
  int stopped = 0;
  for (const auto& t : run.trials) {
    if (t.status == TrialStatus::Stopped) {
      ++stopped;
      EXPECT_EQ(t.epochs_run(), 2);
      EXPECT_LT(t.curve.back().value, 0.8);
    }
  }
  EXPECT_GT(stopped, 0);
}

TEST(Coordinator, StoppedTrialsKeepOnlyTheBestCheckpoints) {
  StopBadAtTwo scheduler;
  std::vector<int> discarded;
  CoordinatorOptions options;
  options.keep_stopped_checkpoints = 2;
  options.discard_checkpoints = [&](const TrialRecord& t) { discarded.push_back(t.id); };
  const StudyRun run = run_study(2, &scheduler, false, options);
  std::vector<const TrialRecord*> stopped;
  for (const auto& t : run.trials) {
    if (t.status == TrialStatus::Stopped) stopped.push_back(&t);
  }
  ASSERT_GT(stopped.size(), 2u);
  EXPECT_EQ(discarded.size(), stopped.size() - 2);
  int kept = 0;
  for (const TrialRecord* t : stopped) {
    const bool was_discarded =
        std::find(discarded.begin(), discarded.end(), t->id) != discarded.end();
    EXPECT_EQ(t->checkpoint_epoch == 0, was_discarded) << "trial " << t->id;
    if (was_discarded) continue;
    ++kept;
    for (int id : discarded) {  // every discarded one is worse than every kept one
      EXPECT_LE(*run.trials[static_cast<std::size_t>(id)].best_value(Direction::Maximize),
                *t->best_value(Direction::Maximize));
    }
  }
  EXPECT_EQ(kept, 2);
}

TEST(Coordinator, AWorkerWithoutDataEndsTheStudyWithItsReason) {
  try {
    run_study(2, nullptr, true);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 1 cannot run trials: data/train.gz"), std::string::npos)
        << e.what();
  }
}

TEST(Coordinator, APromotionIsNotALostRunAndAKillIs) {
  // A trial promoted twice, and the job killed while it trains its last rung.
  const StudyRun first = run_study(2, nullptr, false, {}, kPromotionStudy);
  std::optional<ResumeState> killed;
  int victim = -1;
  for (const auto& durable : first.history) {
    for (const auto& t : durable) {
      if (t.status == TrialStatus::Running && t.attempts == 3) victim = t.id;
    }
    if (victim >= 0) {
      killed = ResumeState{durable, 0.0, 0.0, std::nullopt};
      break;
    }
  }
  ASSERT_TRUE(killed) << "no trial was promoted twice; the seed should promote one";
  const TrialRecord before = killed->trials[static_cast<std::size_t>(victim)];
  EXPECT_EQ(before.lost, 1) << "only the run in progress can be lost";

  CoordinatorOptions options;
  options.max_attempts = 2;
  const StudyRun resumed = run_study(2, nullptr, false, options, kPromotionStudy, killed);
  const TrialRecord& t = resumed.trials[static_cast<std::size_t>(victim)];
  EXPECT_NE(t.status, TrialStatus::Failed) << t.reason;
  EXPECT_EQ(t.epochs_run(), 4) << "it trains its last rung again from the checkpoint";
  EXPECT_EQ(t.lost, 1) << "the killed run is counted, the resumed one ended";

  // Killed again with one lost run behind it, it is failed at max_attempts: 2.
  std::optional<ResumeState> again;
  for (const auto& durable : resumed.history) {
    if (static_cast<int>(durable.size()) <= victim) continue;
    const TrialRecord& r = durable[static_cast<std::size_t>(victim)];
    if (r.status == TrialStatus::Running && r.lost == 2) {
      again = ResumeState{durable, 0.0, 0.0, std::nullopt};
      break;
    }
  }
  ASSERT_TRUE(again);
  const StudyRun last = run_study(2, nullptr, false, options, kPromotionStudy, again);
  const TrialRecord& f = last.trials[static_cast<std::size_t>(victim)];
  EXPECT_EQ(f.status, TrialStatus::Failed);
  EXPECT_EQ(f.reason, "its worker was killed 2 times while running it (max_attempts)");
}

TEST(Coordinator, AFullDiskOnRankZeroStopsTheStudyAndEveryWorker) {
  // The 20th commit fails: trials are running, their workers waiting for answers.
  const StudyRun run = run_study(3, nullptr, false, {}, kStudy, std::nullopt, 20);
  EXPECT_EQ(run.end, StudyEnd::Interrupted);  // and every worker thread returned
  EXPECT_EQ(run.halt_reason,
            "cannot record the study: runs/t/study.h5.journal: write failed: No space left on device");
  EXPECT_EQ(run.history.size(), 20u) << "nothing was recorded after the failure";
  EXPECT_NE(run.log.find("stopping: cannot record the study"), std::string::npos) << run.log;
}

/// SyntheticRunner whose test evaluation never answers until released.
class HungTestRunner : public SyntheticRunner {
 public:
  explicit HungTestRunner(std::atomic<bool>& release) : release_(release) {}
  TestResult evaluate_test(const TrialAssignment& t) override {
    while (!release_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return SyntheticRunner::evaluate_test(t);
  }

 private:
  std::atomic<bool>& release_;
};

TEST(Coordinator, ATestEvaluationThatNeverAnswersDoesNotHangTheStudy) {
  const StudyConfig config = parse_study_config(kStudy, "t.yaml");
  auto sampler = make_study_sampler(config);
  auto scheduler = make_scheduler(config.scheduler, config.budget.epochs, config.objective.direction);
  LocalNetwork net(2);
  std::atomic<bool> release{false};
  std::thread worker_thread([&] {
    WorkerLoop worker(net.endpoint(1), [&] { return std::make_unique<HungTestRunner>(release); });
    worker.run();
  });
  std::ostringstream log;
  MemoryRecorder recorder;
  CoordinatorOptions options;
  options.report_timeout = std::chrono::milliseconds(300);
  Coordinator coordinator(config, *sampler, *scheduler, net.endpoint(0), recorder, log, options);
  const StudyEnd end = coordinator.run();
  release = true;  // the worker finds the Shutdown after its evaluation
  worker_thread.join();
  EXPECT_EQ(end, StudyEnd::Finished);
  EXPECT_FALSE(coordinator.test().has_value());
  EXPECT_TRUE(coordinator.unresponsive_workers()) << "the job must be aborted, not finalized";
  EXPECT_NE(log.str().find("no answer within 0 s (preemption.report_timeout_seconds); run again "
                           "to evaluate it"),
            std::string::npos)
      << log.str();
}

}  // namespace
}  // namespace rungs
