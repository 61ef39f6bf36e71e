// objective {model: synthetic}: the study file's fields, and a runner that reports the
// simulator's curves, resumes from its checkpoint as if never stopped, fails where the
// objective says and stops when interrupted. epoch_seconds is 0 here: nothing is timed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "schedulers/sim/objective.h"
#include "study/checkpoint_path.h"
#include "study/errors.h"
#include "study/seed.h"
#include "synthetic/synthetic_runner.h"
#include "../temp_dir.h"

namespace rungs {
namespace {

StudyConfig synthetic_study(const std::string& objective_fields) {
  return parse_study_config(
      "name: s\nseed: 11\nobjective: {model: synthetic" + objective_fields + "}\n"
      "search_space:\n  lr: {type: float, low: 1.0e-4, high: 1.0, log: true}\n"
      "  width: {type: int, low: 8, high: 512}\n"
      "budget: {max_trials: 20, epochs: 6}\n",
      "study.yaml");
}

std::string config_error(const std::string& objective_fields) {
  try {
    synthetic_study(objective_fields);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(SyntheticConfig, FieldsAreReadWithTheirDefaults) {
  const StudyConfig c = synthetic_study(", epoch_seconds: 0.2, mode: spin, noise: 0, failure_rate: 0.5");
  EXPECT_TRUE(c.objective.is_synthetic());
  EXPECT_FALSE(c.objective.is_builtin_model());
  EXPECT_EQ(c.objective.synthetic.epoch_seconds, 0.2);
  EXPECT_EQ(c.objective.synthetic.mode, SyntheticConfig::Mode::Spin);
  EXPECT_EQ(c.objective.synthetic.noise, 0.0);
  EXPECT_EQ(c.objective.synthetic.cost_spread, 0.0);
  EXPECT_EQ(c.objective.synthetic.failure_rate, 0.5);
  const StudyConfig d = synthetic_study("");
  EXPECT_EQ(d.objective.synthetic.epoch_seconds, 1.0);
  EXPECT_EQ(d.objective.synthetic.mode, SyntheticConfig::Mode::Sleep);
  EXPECT_EQ(d.objective.synthetic.noise, 0.01);
}

TEST(SyntheticConfig, BadFieldsNameTheFileTheFieldAndTheValue) {
  EXPECT_EQ(config_error(", epoch_seconds: -1"), "study.yaml: objective.epoch_seconds: -1 must be seconds >= 0");
  EXPECT_EQ(config_error(", mode: nap"), "study.yaml: objective.mode: nap must be sleep or spin");
  EXPECT_EQ(config_error(", noise: -0.1"), "study.yaml: objective.noise: -0.1 must be >= 0");
  EXPECT_EQ(config_error(", cost_spread: -2"), "study.yaml: objective.cost_spread: -2 must be >= 0");
  EXPECT_EQ(config_error(", failure_rate: 1.5"), "study.yaml: objective.failure_rate: 1.5 must be in [0, 1]");
  EXPECT_EQ(config_error(", curve: wavy"), "study.yaml: objective.curve: wavy must be power or drifting");
  EXPECT_EQ(config_error(", dataset: fashion_mnist"),
            "study.yaml: objective.dataset: unknown field (expected one of: model, epoch_seconds, mode, "
            "noise, cost_spread, failure_rate, metric, direction, curve)");
}

struct RunLog {
  std::vector<EpochResult> reports;
  TrialOutcome outcome;
};

/// Runs `a`, answering every report with `verdict_at(epoch)`.
RunLog run_trial(TrialRunner& runner, const TrialAssignment& a,
        const std::function<Verdict(int)>& verdict_at = [](int) { return Verdict::Continue; },
        const InterruptCheck& stop = [] { return false; }) {
  RunLog r;
  r.outcome = runner.run(a, [&](const EpochResult& e) {
    r.reports.push_back(e);
    return verdict_at(e.epoch);
  }, stop);
  return r;
}

struct SyntheticRunner : ::testing::Test {
  testing::TempDir dir;
  StudyConfig config = synthetic_study(", epoch_seconds: 0, noise: 0.05");
  sim::SyntheticObjective objective{config.space, config.objective.direction, config.budget.epochs,
                                    sim::objective_settings(config)};
  std::unique_ptr<TrialRunner> runner = make_synthetic_runner(config);

  TrialAssignment assignment(int id, int start, int end) const {
    TrialAssignment a;
    a.trial_id = id;
    a.params = {{"lr", 0.01 * (id + 1)}, {"width", std::int64_t{32 + id}}};
    a.seed = trial_seed(config.seed, id);
    a.start_epoch = start;
    a.end_epoch = end;
    a.checkpoint = dir.file("checkpoints/trial_" + std::to_string(id));
    return a;
  }
};

TEST_F(SyntheticRunner, ReportsTheSimulatorsCurve) {
  for (int id = 0; id < 3; ++id) {
    const TrialAssignment a = assignment(id, 0, 6);
    const RunLog r = run_trial(*runner, a);
    EXPECT_EQ(r.outcome.kind, TrialOutcome::Kind::Finished);
    ASSERT_EQ(r.reports.size(), 6u);
    const sim::Curve curve = objective.curve(a.params, a.seed);
    for (const EpochResult& e : r.reports) {
      EXPECT_EQ(e.value, objective.observed(curve, e.epoch, a.seed));
      EXPECT_EQ(e.metric("val_accuracy"), e.value);
      EXPECT_TRUE(e.checkpointed);
    }
    EXPECT_TRUE(std::filesystem::exists(checkpoint_file(a.checkpoint, 6)));
  }
}

TEST_F(SyntheticRunner, AResumedTrialReportsWhatAnUninterruptedOneWould) {
  const RunLog whole = run_trial(*runner, assignment(0, 0, 6));
  const RunLog first = run_trial(*runner, assignment(0, 0, 6), [](int e) { return e == 2 ? Verdict::Pause : Verdict::Continue; });
  EXPECT_EQ(first.outcome.kind, TrialOutcome::Kind::Paused);
  ASSERT_EQ(first.reports.size(), 2u);
  const RunLog rest = run_trial(*runner, assignment(0, 2, 6));
  EXPECT_EQ(rest.outcome.kind, TrialOutcome::Kind::Finished);
  ASSERT_EQ(rest.reports.size(), 4u);
  EXPECT_EQ(rest.reports[0].epoch, 3);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(rest.reports[i].value, whole.reports[i + 2].value);
}

TEST_F(SyntheticRunner, AResumeNeedsItsCheckpoint) {
  const TrialAssignment a = assignment(5, 3, 6);
  const RunLog r = run_trial(*runner, a);
  EXPECT_EQ(r.outcome.kind, TrialOutcome::Kind::Failed);
  EXPECT_NE(r.outcome.reason.find(checkpoint_file(a.checkpoint, 3)), std::string::npos) << r.outcome.reason;
  EXPECT_TRUE(r.reports.empty());
}

TEST_F(SyntheticRunner, AnInterruptEndsTheRunAtOnce) {
  const RunLog r = run_trial(*runner, assignment(0, 0, 6), [](int) { return Verdict::Continue; }, [] { return true; });
  EXPECT_EQ(r.outcome.kind, TrialOutcome::Kind::Interrupted);
  EXPECT_TRUE(r.reports.empty());
}

TEST(SyntheticFailures, TrialsFailWhereTheObjectiveSaysWithoutReportingThatEpoch) {
  const StudyConfig config = synthetic_study(", epoch_seconds: 0, failure_rate: 0.5");
  const sim::SyntheticObjective objective{config.space, config.objective.direction,
                                          config.budget.epochs, sim::objective_settings(config)};
  const auto runner = make_synthetic_runner(config);
  int failed = 0;
  for (int id = 0; id < 20; ++id) {
    TrialAssignment a;
    a.trial_id = id;
    a.params = {{"lr", 0.001}, {"width", std::int64_t{64}}};
    a.seed = trial_seed(config.seed, id);
    a.end_epoch = 6;  // no checkpoint stem: nothing written
    const RunLog r = run_trial(*runner, a);
    const int fail_epoch = objective.curve(a.params, a.seed).fail_epoch;
    if (fail_epoch > 0 && fail_epoch <= 6) {
      ++failed;
      EXPECT_EQ(r.outcome.kind, TrialOutcome::Kind::Failed);
      EXPECT_EQ(static_cast<int>(r.reports.size()), fail_epoch - 1);
    } else {
      EXPECT_EQ(r.outcome.kind, TrialOutcome::Kind::Finished);
    }
  }
  EXPECT_GT(failed, 0);
  EXPECT_LT(failed, 20);
}

}  // namespace
}  // namespace rungs
