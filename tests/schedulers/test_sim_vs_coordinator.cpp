// The simulator against the real coordinator (mpi_driver/coordinator.cpp, in-process
// transport): with one worker the coordinator's order of messages is fixed, so both must
// produce the same trials, decision for decision, for every scheduler. This is what lets
// the simulator's figures speak for real runs, and shows the coordinator running
// promotion-based schedulers (Pause, ResumeTrial, Wait).
#include <gtest/gtest.h>

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

  const auto& real = coordinator.trials();
  const auto& simulated = simulation.trials();
  ASSERT_EQ(real.size(), simulated.size());
  int paused_or_resumed = 0;
  for (std::size_t i = 0; i < real.size(); ++i) {
    EXPECT_EQ(real[i].params, simulated[i].params) << i;
    EXPECT_EQ(real[i].status, simulated[i].status) << i;
    EXPECT_EQ(real[i].max_epochs, simulated[i].max_epochs) << i;
    EXPECT_EQ(real[i].rung, simulated[i].rung) << i;
    ASSERT_EQ(real[i].epochs_run(), simulated[i].epochs_run()) << i;
    for (int e = 0; e < real[i].epochs_run(); ++e) {
      EXPECT_EQ(real[i].curve[static_cast<std::size_t>(e)].value, simulated[i].curve[static_cast<std::size_t>(e)].value);
    }
    paused_or_resumed += real[i].status == TrialStatus::Paused;
  }
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
