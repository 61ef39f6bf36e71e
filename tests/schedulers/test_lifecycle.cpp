// The one trial lifecycle (schedulers/lifecycle.h) that the coordinator and the simulator
// both follow: dispatch, the epoch reports, the outcome of a run.
#include <gtest/gtest.h>

#include <deque>

#include "schedulers/lifecycle.h"
#include "study/errors.h"
#include "study/seed.h"

namespace rungs::lifecycle {
namespace {

/// Answers next() from a script; records what it was told.
class ScriptedScheduler : public Scheduler {
 public:
  std::deque<NextAction> script;
  std::vector<bool> can_start;  ///< SchedulerView::can_start_new of each next()
  std::vector<int> started, ended;
  Verdict verdict = Verdict::Continue;
  int rung = 0;

  NextAction next(const SchedulerView& view) override {
    can_start.push_back(view.can_start_new);
    if (script.empty()) return {NextAction::Kind::Wait};
    NextAction a = script.front();
    script.pop_front();
    return a;
  }
  void on_trial_start(const TrialRecord& t) override { started.push_back(t.id); }
  Verdict on_report(const TrialRecord&, const std::vector<TrialRecord>&) override { return verdict; }
  void on_trial_end(const TrialRecord& t) override { ended.push_back(t.id); }
  int rung_of(const TrialRecord&) const override { return rung; }
};

/// Suggests {x: id} for the first `left` trials, then nothing.
class CountingSampler : public Sampler {
 public:
  int left = 100;
  int reports = 0;
  std::vector<int> ended;
  std::optional<Params> suggest(int id, const std::vector<TrialRecord>&) override {
    if (left-- <= 0) return std::nullopt;
    return Params{{"x", std::int64_t{id}}};
  }
  void on_report(const TrialRecord&) override { ++reports; }
  void on_trial_end(const TrialRecord& t) override { ended.push_back(t.id); }
};

NextAction start(int epochs) { return {NextAction::Kind::StartTrial, -1, epochs}; }
NextAction resume(int id, int epochs) { return {NextAction::Kind::ResumeTrial, id, epochs}; }

struct Fixture : ::testing::Test {
  DispatchState state{3, 42, false, ""};
  std::vector<TrialRecord> trials;
  ScriptedScheduler scheduler;
  CountingSampler sampler;
  Dispatch next() { return next_dispatch(state, trials, sampler, scheduler, 0, 5.0); }
  /// A trial that ran `epochs` epochs of at most `max_epochs` and is paused.
  void paused(int epochs, int max_epochs) {
    scheduler.script.push_back(start(max_epochs));
    TrialRecord& t = *next().trial;
    for (int e = 1; e <= epochs; ++e) t.curve.push_back(EpochResult{});
    t.status = TrialStatus::Paused;
  }
};

TEST_F(Fixture, AStartCreatesTheSampledTrialWithItsSeed) {
  scheduler.script.push_back(start(4));
  const Dispatch d = next();
  ASSERT_EQ(d.kind, Dispatch::Kind::Run);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(d.trial, &trials[0]);
  EXPECT_FALSE(d.resume);
  EXPECT_EQ(d.end_epoch, 4);
  EXPECT_EQ(trials[0].max_epochs, 4);
  EXPECT_EQ(trials[0].seed, trial_seed(42, 0));
  EXPECT_EQ(trials[0].start_time, 5.0);
  EXPECT_EQ(trials[0].params.at("x"), ParamValue{std::int64_t{0}});
  EXPECT_EQ(scheduler.started, std::vector<int>{0});
}

TEST_F(Fixture, NoNewTrialsPastTheBudgetOrAnExhaustedSampler) {
  for (int i = 0; i < 3; ++i) scheduler.script.push_back(start(1));
  for (int i = 0; i < 3; ++i) next();
  EXPECT_EQ(next().kind, Dispatch::Kind::Wait);
  EXPECT_EQ(scheduler.can_start, (std::vector<bool>{true, true, true, false}));

  Fixture::state = {10, 42, false, ""};
  sampler.left = 0;  // the sampler has nothing more: the scheduler is asked again
  scheduler.script = {start(1), {NextAction::Kind::Finish}};
  EXPECT_EQ(next().kind, Dispatch::Kind::Finish);
  EXPECT_TRUE(state.sampler_exhausted);
  EXPECT_EQ(trials.size(), 3u);
  EXPECT_FALSE(scheduler.can_start.back());
}

TEST_F(Fixture, AResumeContinuesAPausedTrialToMoreOfItsEpochs) {
  paused(2, 9);
  scheduler.script.push_back(resume(0, 5));
  const Dispatch d = next();
  ASSERT_EQ(d.kind, Dispatch::Kind::Run);
  EXPECT_TRUE(d.resume);
  EXPECT_EQ(d.trial, &trials[0]);
  EXPECT_EQ(d.end_epoch, 5);
}

TEST_F(Fixture, ActionsThatWouldBreakTheStudyAreRefused) {
  paused(2, 4);
  const auto refused = [&](NextAction a, const std::string& message) {
    scheduler.script = {a};
    try {
      next();
      ADD_FAILURE() << "accepted: " << message;
    } catch (const Error& e) {
      EXPECT_EQ(e.what(), message);
    }
  };
  refused(start(0), "scheduler started a trial of 0 epochs");
  refused(resume(3, 4), "scheduler asked to resume trial 3, which does not exist");
  refused(resume(0, 2), "scheduler asked to resume trial 0 to 2 epochs; it has 2 of at most 4");
  refused(resume(0, 5), "scheduler asked to resume trial 0 to 5 epochs; it has 2 of at most 4");
  trials[0].status = TrialStatus::Stopped;
  refused(resume(0, 3), "scheduler asked to resume trial 0, which is stopped");
}

TEST(Lifecycle, TheTimeAndEpochBudgets) {
  EXPECT_EQ(spent_budget(0, 0, 1e9, 1000000), "") << "neither is set";
  EXPECT_EQ(spent_budget(3600, 0, 3599.9, 50), "");
  EXPECT_EQ(spent_budget(3600, 0, 3600, 50), "budget.seconds (3600) spent");
  EXPECT_EQ(spent_budget(0.5, 0, 0.75, 0), "budget.seconds (0.5) spent");
  EXPECT_EQ(spent_budget(0, 100, 1e9, 99), "");
  EXPECT_EQ(spent_budget(0, 100, 0, 100), "budget.epochs_total (100) spent");
}

TEST_F(Fixture, ASpentBudgetStartsAndResumesNothing) {
  paused(1, 9);
  state.budget_spent = "budget.seconds (60) spent";
  scheduler.script = {resume(0, 3), start(2)};
  EXPECT_EQ(next().kind, Dispatch::Kind::Finish);
  EXPECT_EQ(scheduler.script.size(), 2u) << "the scheduler is not even asked";
  EXPECT_EQ(trials.size(), 1u);
}

TEST(Lifecycle, ASpentBudgetLetsATrialGoOnToItsNextRungOnly) {
  DispatchState state;
  TrialRecord t;
  t.rung = 1;
  EXPECT_EQ(within_budget(Verdict::Continue, state, 0, t), Verdict::Continue) << "not spent";
  state.budget_spent = "budget.epochs_total (10) spent";
  EXPECT_EQ(within_budget(Verdict::Continue, state, 1, t), Verdict::Continue) << "between rungs";
  EXPECT_EQ(within_budget(Verdict::Continue, state, 0, t), Verdict::Stop) << "it reached a rung";
  EXPECT_EQ(within_budget(Verdict::Pause, state, 0, t), Verdict::Pause);
  EXPECT_EQ(within_budget(Verdict::Stop, state, 1, t), Verdict::Stop);
}

TEST(Lifecycle, ARunCountsAnAttemptOnItsWorker) {
  TrialRecord t;
  t.status = TrialStatus::Paused;
  begin_run(t, 3);
  begin_run(t, 5);
  EXPECT_EQ(t.status, TrialStatus::Running);
  EXPECT_EQ(t.worker, 5);
  EXPECT_EQ(t.attempts, 2);
}

TEST(Lifecycle, ReportsMustComeInSequence) {
  TrialRecord t;
  t.id = 7;
  t.curve.resize(1);
  EXPECT_EQ(epoch_problem(t, 2), "");
  EXPECT_EQ(epoch_problem(t, 3), "epoch 3 of trial 7, which has 1");
  EXPECT_EQ(epoch_problem(t, 1), "epoch 1 of trial 7, which has 1");
}

TEST(Lifecycle, AReportIsRecordedThenJudged) {
  std::vector<TrialRecord> trials(1);
  TrialRecord& t = trials[0];
  t.rung = 2;
  ScriptedScheduler scheduler;
  CountingSampler sampler;
  scheduler.verdict = Verdict::Pause;
  scheduler.rung = 1;  // a scheduler's rung never lowers the record's
  EpochResult r;
  r.epoch = 1;
  r.value = 0.5;
  r.checkpointed = true;
  EXPECT_EQ(record_epoch(t, r, trials, sampler, scheduler), Verdict::Pause);
  EXPECT_EQ(t.epochs_run(), 1);
  EXPECT_EQ(t.curve[0].value, 0.5);
  EXPECT_FALSE(t.curve[0].checkpointed);
  EXPECT_EQ(t.checkpoint_epoch, 1);
  EXPECT_EQ(t.rung, 2);
  EXPECT_EQ(sampler.reports, 1);

  r.epoch = 2;
  r.checkpointed = false;  // an epoch without a checkpoint leaves the last one
  scheduler.rung = 3;
  record_epoch(t, r, trials, sampler, scheduler);
  EXPECT_EQ(t.checkpoint_epoch, 1);
  EXPECT_EQ(t.rung, 3);
}

TEST(Lifecycle, TheWorkerAsksForAVerdictExceptAfterItsLastEpoch) {
  EXPECT_TRUE(awaits_verdict(2, 3));
  EXPECT_FALSE(awaits_verdict(3, 3));
}

/// The status a trial of `run` of `max_epochs` epochs gets from `kind`.
TrialStatus status_after(TrialOutcome::Kind kind, int run, int max_epochs, RunEnd expected) {
  TrialRecord t;
  t.curve.resize(static_cast<std::size_t>(run));
  t.max_epochs = max_epochs;
  EXPECT_EQ(end_run(t, {kind, "why"}), expected);
  return t.status;
}

TEST(Lifecycle, OutcomesMapToStatuses) {
  using K = TrialOutcome::Kind;
  EXPECT_EQ(status_after(K::Finished, 9, 9, RunEnd::Over), TrialStatus::Completed);
  EXPECT_EQ(status_after(K::Finished, 3, 9, RunEnd::Paused), TrialStatus::Paused);
  EXPECT_EQ(status_after(K::Stopped, 9, 9, RunEnd::Over), TrialStatus::Completed);
  EXPECT_EQ(status_after(K::Stopped, 3, 9, RunEnd::Over), TrialStatus::Stopped);
  EXPECT_EQ(status_after(K::Paused, 3, 9, RunEnd::Paused), TrialStatus::Paused);
  EXPECT_EQ(status_after(K::Failed, 3, 9, RunEnd::Over), TrialStatus::Failed);
  EXPECT_EQ(status_after(K::Interrupted, 3, 9, RunEnd::Running), TrialStatus::Running);
  EXPECT_EQ(status_after(K::Halted, 3, 9, RunEnd::Running), TrialStatus::Running);
}

TEST(Lifecycle, AnEndedRunLeavesItsCheckpointAFailedOneDoesNot) {
  TrialRecord t;
  t.curve.resize(3);
  t.max_epochs = 9;
  t.checkpoint_epoch = 2;
  end_run(t, {TrialOutcome::Kind::Failed, "nan loss"});
  EXPECT_EQ(t.checkpoint_epoch, 2);
  EXPECT_EQ(t.reason, "nan loss");
  end_run(t, {TrialOutcome::Kind::Interrupted, ""});
  EXPECT_EQ(t.checkpoint_epoch, 2);
  end_run(t, {TrialOutcome::Kind::Paused, ""}, /*has_checkpoints=*/false);
  EXPECT_EQ(t.checkpoint_epoch, 2);
  end_run(t, {TrialOutcome::Kind::Paused, ""});
  EXPECT_EQ(t.checkpoint_epoch, 3);
}

TEST(Lifecycle, FinishTellsTheSchedulerAndTheSampler) {
  TrialRecord t;
  t.id = 4;
  ScriptedScheduler scheduler;
  CountingSampler sampler;
  finish(t, 12.5, scheduler, sampler);
  EXPECT_EQ(t.end_time, 12.5);
  EXPECT_EQ(scheduler.ended, std::vector<int>{4});
  EXPECT_EQ(sampler.ended, std::vector<int>{4});
}

}  // namespace
}  // namespace rungs::lifecycle
