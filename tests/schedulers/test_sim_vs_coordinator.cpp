// The simulator against the real coordinator (mpi_driver/coordinator.cpp): both must
// produce the same trials, decision for decision, for every scheduler. With one worker the
// real worker loop runs in a thread (its order of messages is fixed); with several, the
// workers are played on a virtual clock inside the coordinator's transport, so the order
// of their reports is the simulator's and no wall-clock timing enters the test. This is
// what lets the simulator's figures speak for real runs, and shows the coordinator running
// promotion-based schedulers (Pause, ResumeTrial, Wait).
#include <gtest/gtest.h>

#include <deque>
#include <queue>
#include <sstream>
#include <thread>

#include "mpi_driver/coordinator.h"
#include "mpi_driver/local_transport.h"
#include "mpi_driver/worker.h"
#include "samplers/enqueued_sampler.h"
#include "study/recorder.h"
#include "scheduler_fixture.h"
#include "schedulers/sim/simulation.h"

namespace rungs {
namespace {

/// Trains nothing: reports the simulator's synthetic curve for the trial, resuming where
/// the assignment says, and fails where the curve says.
class CurveRunner : public TrialRunner {
 public:
  CurveRunner(const sim::SyntheticObjective& objective, std::vector<int>& resumes)
      : objective_(objective), resumes_(resumes) {}
  // Both forms of TrialRunner::run while the interrupt check lands (study/trial_runner.h);
  // whichever the base declares is the override. Drop the other once it has settled.
  TrialOutcome run(const TrialAssignment& t, const EpochCallback& on_epoch,
                   const InterruptCheck& /*should_stop*/) {
    return run(t, on_epoch);
  }
  TrialOutcome run(const TrialAssignment& t, const EpochCallback& on_epoch) {
    if (t.start_epoch > 0) ++resumes_[0];
    const sim::Curve curve = objective_.curve(t.params, t.seed);
    for (int e = t.start_epoch + 1; e <= t.end_epoch; ++e) {
      if (curve.fail_epoch == e) return {TrialOutcome::Kind::Failed, "simulated failure"};
      EpochResult r;
      r.epoch = e;
      r.value = objective_.observed(curve, e, t.seed);
      r.checkpointed = true;  // nothing to save: every epoch is "checkpointed"
      const Verdict v = on_epoch(r);
      if (e == t.end_epoch) break;
      if (v == Verdict::Stop) return {TrialOutcome::Kind::Stopped, ""};
      if (v == Verdict::Pause) return {TrialOutcome::Kind::Paused, ""};
    }
    return {TrialOutcome::Kind::Finished, ""};
  }
  TestResult evaluate_test(const TrialAssignment& t) override { return {t.trial_id, 0.5, 0.5}; }

 private:
  const sim::SyntheticObjective& objective_;
  std::vector<int>& resumes_;
};

/// The coordinator's records go nowhere: the test reads them from coordinator.trials().
class NoRecorder : public StudyRecorder {
 public:
  void trial_changed(const TrialRecord&) override {}
  void epoch_added(const TrialRecord&, const EpochResult&) override {}
  void commit() override {}
  void snapshot(const StudySnapshot&) override {}
};

/// Rank 0's transport with W simulated workers behind it, on a virtual clock: an Assign or
/// a Continue starts an epoch that ends curve.epoch_cost later; the epoch that ends first
/// (ties: the one started first) is reported when the coordinator next waits for a message,
/// then the end of its run and the worker's Ready, as the worker loop sends them. A receive
/// that would not wait (timeout 0) gets nothing, so the coordinator handles one message at
/// a time, as the simulator does.
class VirtualWorkers : public Transport {
 public:
  VirtualWorkers(const sim::SyntheticObjective& objective, int workers)
      : objective_(objective), workers_(static_cast<std::size_t>(workers) + 1) {
    for (int w = 1; w <= workers; ++w) inbox_.push_back({w, protocol::encode(protocol::Ready{})});
  }
  int rank() const override { return 0; }
  int size() const override { return static_cast<int>(workers_.size()); }
  int busiest() const { return max_running_; }

  void send(int destination, const wire::Bytes& bytes) override {
    Worker& w = workers_.at(static_cast<std::size_t>(destination));
    const protocol::Message message = protocol::decode(bytes);
    if (auto* assign = std::get_if<protocol::Assign>(&message)) {
      w.trial = assign->trial;
      w.curve = objective_.curve(w.trial.params, w.trial.seed);
      w.epoch = w.trial.start_epoch;
      ++running_;
      max_running_ = std::max(max_running_, running_);
      start_epoch(destination);
    } else if (auto* decision = std::get_if<protocol::Decision>(&message)) {
      ASSERT_EQ(decision->trial_id, w.trial.trial_id);
      if (decision->verdict == Verdict::Continue) {
        start_epoch(destination);
      } else {
        end_run(destination, {decision->verdict == Verdict::Stop ? TrialOutcome::Kind::Stopped
                                                                 : TrialOutcome::Kind::Paused, ""});
      }
    }
    // Shutdown: nothing to do; no Interrupt or Evaluate is sent in these studies.
  }

  std::optional<Envelope> receive(std::chrono::milliseconds timeout) override {
    if (inbox_.empty() && timeout.count() > 0 && !events_.empty()) {
      const Event e = events_.top();
      events_.pop();
      now_ = e.time;
      epoch_done(e.worker);
    }
    if (inbox_.empty()) {
      // Nothing will ever come: the coordinator would wait forever.
      if (timeout.count() > 0 && ++idle_waits_ > 1000) throw Error("the coordinator waits on nothing");
      return std::nullopt;
    }
    idle_waits_ = 0;
    Envelope e = std::move(inbox_.front());
    inbox_.pop_front();
    return e;
  }

 private:
  struct Worker {
    TrialAssignment trial;
    sim::Curve curve;
    int epoch = 0;  ///< epochs trained
  };
  struct Event {
    double time;
    long long seq;
    int worker;
    bool operator>(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
  };

  void start_epoch(int worker) {
    const Worker& w = workers_[static_cast<std::size_t>(worker)];
    events_.push(Event{now_ + w.curve.epoch_cost, seq_++, worker});
  }
  void epoch_done(int worker) {
    Worker& w = workers_[static_cast<std::size_t>(worker)];
    const int e = ++w.epoch;
    if (w.curve.fail_epoch == e) return end_run(worker, {TrialOutcome::Kind::Failed, "simulated failure"});
    EpochResult r;
    r.epoch = e;
    r.value = objective_.observed(w.curve, e, w.trial.seed);
    r.checkpointed = true;
    inbox_.push_back({worker, protocol::encode(protocol::EpochReport{w.trial.trial_id, r})});
    if (e >= w.trial.end_epoch) end_run(worker, {TrialOutcome::Kind::Finished, ""});
  }
  void end_run(int worker, const TrialOutcome& outcome) {
    --running_;
    const int id = workers_[static_cast<std::size_t>(worker)].trial.trial_id;
    inbox_.push_back({worker, protocol::encode(protocol::TrialEnd{id, outcome})});
    inbox_.push_back({worker, protocol::encode(protocol::Ready{})});
  }

  const sim::SyntheticObjective& objective_;
  std::vector<Worker> workers_;  ///< by rank; 0 unused
  std::deque<Envelope> inbox_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  long long seq_ = 0;
  double now_ = 0.0;
  int running_ = 0, max_running_ = 0, idle_waits_ = 0;
};

/// Both must have the same trials: parameters, status, rung, worker and every value.
void expect_same_trials(const std::vector<TrialRecord>& real, const std::vector<TrialRecord>& simulated) {
  ASSERT_EQ(real.size(), simulated.size());
  for (std::size_t i = 0; i < real.size(); ++i) {
    EXPECT_EQ(real[i].params, simulated[i].params) << i;
    EXPECT_EQ(real[i].status, simulated[i].status) << i;
    EXPECT_EQ(real[i].max_epochs, simulated[i].max_epochs) << i;
    EXPECT_EQ(real[i].rung, simulated[i].rung) << i;
    EXPECT_EQ(real[i].attempts, simulated[i].attempts) << i;
    EXPECT_EQ(real[i].worker, simulated[i].worker) << i;
    ASSERT_EQ(real[i].epochs_run(), simulated[i].epochs_run()) << i;
    for (int e = 0; e < real[i].epochs_run(); ++e) {
      EXPECT_EQ(real[i].curve[static_cast<std::size_t>(e)].value,
                simulated[i].curve[static_cast<std::size_t>(e)].value) << i << " epoch " << e + 1;
    }
  }
}

class SimVsCoordinatorWorkers
    : public ::testing::TestWithParam<std::tuple<const char*, int>> {};

TEST_P(SimVsCoordinatorWorkers, SameDecisionsWithSeveralWorkers) {
  const auto [scheduler_yaml, workers] = GetParam();
  const StudyConfig config = testing::study(scheduler_yaml, 80, 9);
  sim::SimSettings settings;
  settings.workers = workers;
  settings.objective.failure_rate = 0.05;
  settings.objective.cost_spread = 1.0;  // epochs of different lengths: reports interleave

  auto sim_sampler = make_study_sampler(config);
  auto sim_scheduler = testing::scheduler_for(config);
  sim::Simulation simulation(config, *sim_sampler, *sim_scheduler, settings);
  simulation.run();

  auto sampler = make_study_sampler(config);
  auto scheduler = testing::scheduler_for(config);
  VirtualWorkers net(simulation.objective(), workers);
  std::ostringstream log;
  NoRecorder recorder;
  CoordinatorOptions options;
  options.evaluate_test = false;
  Coordinator coordinator(config, *sampler, *scheduler, net, recorder, log, options);
  coordinator.run();

  expect_same_trials(coordinator.trials(), simulation.trials());
  EXPECT_EQ(net.busiest(), workers) << "every worker ran a trial at the same time as the others";
  int failed = 0, resumed = 0;
  for (const TrialRecord& t : coordinator.trials()) {
    failed += t.status == TrialStatus::Failed;
    resumed += t.attempts > 1;
  }
  EXPECT_GT(failed, 0) << "failures went through both";
  if (std::string(scheduler_yaml).find("promotion") != std::string::npos) {
    EXPECT_GT(resumed, 0) << "paused trials were resumed";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Schedulers, SimVsCoordinatorWorkers,
    ::testing::Combine(::testing::Values("{name: asha}", "{name: asha, mode: promotion}",
                                         "{name: hyperband, mode: promotion}", "{name: median}"),
                       ::testing::Values(4, 7)));

class SimVsCoordinator : public ::testing::TestWithParam<const char*> {};

TEST_P(SimVsCoordinator, SameTrialsWithOneWorker) {
  const StudyConfig config = testing::study(GetParam(), 60, 9);
  sim::SimSettings settings;
  settings.workers = 1;
  settings.objective.failure_rate = 0.05;

  auto sim_sampler = make_study_sampler(config);
  auto sim_scheduler = testing::scheduler_for(config);
  sim::Simulation simulation(config, *sim_sampler, *sim_scheduler, settings);
  simulation.run();

  std::vector<int> resumes{0};
  auto sampler = make_study_sampler(config);
  auto scheduler = testing::scheduler_for(config);
  LocalNetwork net(2);
  std::thread worker([&] {
    WorkerLoop loop(net.endpoint(1), [&]() -> std::unique_ptr<TrialRunner> {
      return std::make_unique<CurveRunner>(simulation.objective(), resumes);
    });
    loop.run();
  });
  std::ostringstream log;
  NoRecorder recorder;
  Coordinator coordinator(config, *sampler, *scheduler, net.endpoint(0), recorder, log);
  try {
    coordinator.run();
  } catch (...) {
    net.endpoint(0).send(1, protocol::encode(protocol::Shutdown{}));
    worker.join();
    throw;
  }
  worker.join();

  expect_same_trials(coordinator.trials(), simulation.trials());
  int paused_or_resumed = 0;
  for (const TrialRecord& t : coordinator.trials()) paused_or_resumed += t.status == TrialStatus::Paused;
  if (std::string(GetParam()).find("promotion") != std::string::npos ||
      std::string(GetParam()).find("halving") != std::string::npos) {
    EXPECT_GT(resumes[0], 0) << "the coordinator resumed paused trials";
    EXPECT_GT(paused_or_resumed, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Schedulers, SimVsCoordinator,
                         ::testing::Values("{name: fifo}", "{name: asha}", "{name: asha, mode: promotion}",
                                           "{name: successive_halving, trials_per_bracket: 20}",
                                           "{name: hyperband, mode: promotion}", "{name: median}"));

}  // namespace
}  // namespace rungs
