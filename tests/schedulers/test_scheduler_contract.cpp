// One contract, every scheduler: the guarantees the coordinator (mpi_driver/coordinator.cpp)
// relies on, checked on every call of a simulated study with failures, uneven costs and
// more trials than workers.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "samplers/enqueued_sampler.h"
#include "scheduler_fixture.h"
#include "schedulers/rung_ladder.h"
#include "schedulers/sim/simulation.h"

namespace rungs {
namespace {

// Each type: the scheduler entry of the study file, whether it may leave trials paused,
// whether its Stop and Pause verdicts fall on rungs (r = 1, eta = 3, R = 9 for all), and
// one invalid option with its message.
struct Fifo {
  static constexpr const char* yaml = "{name: fifo}";
  static constexpr const char* objective = "{model: mlp}";
  static constexpr bool pauses = false, rungs = false;
  static constexpr const char* bad = "{name: fifo, reduction_factor: 3}";
  static constexpr const char* bad_message = "study.yaml: scheduler.reduction_factor: 3 is not an option of fifo";
};
struct Asha {
  static constexpr const char* yaml = "{name: asha}";
  static constexpr const char* objective = "{model: mlp}";
  static constexpr bool pauses = false, rungs = true;
  static constexpr const char* bad = "{name: asha, reduction_factor: 1}";
  static constexpr const char* bad_message = "study.yaml: scheduler.reduction_factor: 1 must be >= 2";
};
struct AshaMinimizingBracket1 {
  static constexpr const char* yaml = "{name: asha, bracket: 1}";
  static constexpr const char* objective = "{model: mlp, metric: val_loss}";
  static constexpr bool pauses = false, rungs = true;
  static constexpr const char* bad = "{name: asha, bracket: -1}";
  static constexpr const char* bad_message = "study.yaml: scheduler.bracket: -1 must be >= 0";
};
struct AshaPromotion {
  static constexpr const char* yaml = "{name: asha, mode: promotion}";
  static constexpr const char* objective = "{model: mlp}";
  static constexpr bool pauses = true, rungs = true;
  static constexpr const char* bad = "{name: asha, mode: 1}";
  static constexpr const char* bad_message = "study.yaml: scheduler.mode: 1 must be a string";
};
struct SuccessiveHalving {
  static constexpr const char* yaml = "{name: successive_halving}";
  static constexpr const char* objective = "{model: mlp}";
  static constexpr bool pauses = true, rungs = true;
  static constexpr const char* bad = "{name: successive_halving, min_resource: 10}";
  static constexpr const char* bad_message = "study.yaml: scheduler.min_resource: 10 must be <= max_resource (9)";
};
struct SuccessiveHalvingBrackets {
  static constexpr const char* yaml = "{name: successive_halving, trials_per_bracket: 20}";
  static constexpr const char* objective = "{model: mlp, metric: val_loss}";
  static constexpr bool pauses = true, rungs = true;
  static constexpr const char* bad = "{name: successive_halving, trials_per_bracket: -2}";
  static constexpr const char* bad_message =
      "study.yaml: scheduler.trials_per_bracket: -2 must be >= 0 (0: the whole trial budget in one bracket)";
};
struct Hyperband {
  static constexpr const char* yaml = "{name: hyperband}";
  static constexpr const char* objective = "{model: mlp}";
  static constexpr bool pauses = false, rungs = true;
  static constexpr const char* bad = "{name: hyperband, max_resource: 0}";
  static constexpr const char* bad_message = "study.yaml: scheduler.max_resource: 0 must be >= 1";
};
struct HyperbandPromotion {
  static constexpr const char* yaml = "{name: hyperband, mode: promotion, assignment: rotation}";
  static constexpr const char* objective = "{model: mlp}";
  static constexpr bool pauses = true, rungs = true;
  static constexpr const char* bad = "{name: hyperband, brackets: 9}";
  static constexpr const char* bad_message =
      "study.yaml: scheduler.brackets: 9 must be <= 3, the brackets that fit between "
      "min_resource (1) and max_resource (9) with reduction_factor 3";
};
struct Median {
  static constexpr const char* yaml = "{name: median}";
  static constexpr const char* objective = "{model: mlp}";
  static constexpr bool pauses = false, rungs = false;
  static constexpr const char* bad = "{name: median, grace_period: -1}";
  static constexpr const char* bad_message = "study.yaml: scheduler.grace_period: -1 must be >= 1";
};

struct Pbt {  // a population of the whole budget: it finishes once the budget is used
  static constexpr const char* yaml = "{name: pbt, population: 150, interval: 2}";
  static constexpr const char* objective = "{model: mlp}";
  static constexpr bool pauses = true, rungs = false;
  static constexpr const char* bad = "{name: pbt, interval: 0}";
  static constexpr const char* bad_message = "study.yaml: scheduler.interval: 0 must be >= 1";
};

constexpr int kTrials = 150;
constexpr int kEpochs = 9;

/// Forwards to a scheduler and records every breach of the contract.
class Checked final : public Scheduler {
 public:
  Checked(Scheduler& inner, bool rungs) : inner_(inner), rungs_(rungs) {}

  NextAction next(const SchedulerView& view) override {
    const NextAction a = inner_.next(view);
    switch (a.kind) {
      case NextAction::Kind::StartTrial:
        expect(view.can_start_new, "StartTrial with the budget used up");
        expect(a.epochs >= 1 && a.epochs <= kEpochs, "StartTrial of " + std::to_string(a.epochs) + " epochs");
        break;
      case NextAction::Kind::ResumeTrial: {
        const bool exists = a.trial_id >= 0 && a.trial_id < static_cast<int>(view.trials.size());
        expect(exists, "ResumeTrial of a trial that does not exist");
        if (!exists) break;
        const TrialRecord& t = view.trials[static_cast<std::size_t>(a.trial_id)];
        expect(t.status == TrialStatus::Paused,
               "resumes trial " + std::to_string(t.id) + ", which is " + to_string(t.status));
        expect(a.epochs > t.epochs_run() && a.epochs <= t.max_epochs,
               "resumes trial " + std::to_string(t.id) + " to " + std::to_string(a.epochs) + " epochs");
        break;
      }
      case NextAction::Kind::Wait:
        expect(view.running > 0, "Wait with nothing running: the study would hang");
        break;
      case NextAction::Kind::Finish:
        expect(view.running == 0 && !view.can_start_new, "Finish while trials could still run");
        break;
    }
    return a;
  }
  void on_trial_start(const TrialRecord& t) override { inner_.on_trial_start(t); }
  Verdict on_report(const TrialRecord& t, const std::vector<TrialRecord>& trials) override {
    const Verdict v = inner_.on_report(t, trials);
    const int rung = inner_.rung_of(t);
    expect(rung >= t.rung, "rung_of fell for trial " + std::to_string(t.id));
    if (rungs_ && v != Verdict::Continue) {
      const int at = std::min(kEpochs, static_cast<int>(std::lround(std::pow(3.0, rung))));
      expect(t.epochs_run() == at, std::string(to_string(v)) + " of trial " + std::to_string(t.id) +
                                       " after " + std::to_string(t.epochs_run()) +
                                       " epochs, not at its rung " + std::to_string(rung));
    }
    return v;
  }
  void on_trial_end(const TrialRecord& t) override {
    expect(is_finished(t.status), "on_trial_end for a trial that is " + std::string(to_string(t.status)));
    inner_.on_trial_end(t);
  }
  void rebuild(const std::vector<TrialRecord>& trials) override { inner_.rebuild(trials); }
  int rung_of(const TrialRecord& t) const override { return inner_.rung_of(t); }
  std::optional<Segment> new_segment(const TrialRecord& t, const std::vector<TrialRecord>& trials) override {
    return inner_.new_segment(t, trials);
  }

  std::vector<std::string> violations;

 private:
  void expect(bool ok, const std::string& what) {
    if (!ok && violations.size() < 10) violations.push_back(what);
  }
  Scheduler& inner_;
  bool rungs_;
};

sim::SimSettings settings(int workers) {
  sim::SimSettings s;
  s.workers = workers;
  s.objective.seed = 11;
  s.objective.failure_rate = 0.05;
  s.objective.cost_spread = 1.0;
  return s;
}

template <class T>
class SchedulerContract : public ::testing::Test {
 protected:
  const StudyConfig config = testing::study(T::yaml, kTrials, kEpochs, T::objective);
  std::unique_ptr<Sampler> sampler() const {
    return make_study_sampler(config);
  }
};

using Schedulers = ::testing::Types<Fifo, Asha, AshaMinimizingBracket1, AshaPromotion, SuccessiveHalving,
                                    SuccessiveHalvingBrackets, Hyperband, HyperbandPromotion, Median, Pbt>;
TYPED_TEST_SUITE(SchedulerContract, Schedulers);

TYPED_TEST(SchedulerContract, KeepsTheCoordinatorsContractOnEveryCall) {
  for (int workers : {1, 7, 200}) {
    auto inner = testing::scheduler_for(this->config);
    EXPECT_EQ(inner->pauses(), TypeParam::pauses) << "pauses() says whether it may pause";
    Checked checked(*inner, TypeParam::rungs);
    auto sampler = this->sampler();
    sim::Simulation simulation(this->config, *sampler, checked, settings(workers));
    ASSERT_NO_THROW(simulation.run()) << workers << " workers";
    EXPECT_EQ(checked.violations, std::vector<std::string>{}) << workers << " workers";

    const auto& trials = simulation.trials();
    EXPECT_EQ(static_cast<int>(trials.size()), kTrials) << "Finish only once the budget is used";
    int failed = 0, short_of_max = 0;
    for (const auto& t : trials) {
      EXPECT_NE(t.status, TrialStatus::Running) << t.id;
      if (!TypeParam::pauses) {
        EXPECT_NE(t.status, TrialStatus::Paused) << t.id;
      }
      EXPECT_EQ(t.rung, inner->rung_of(t)) << t.id;
      if (TypeParam::rungs && t.status == TrialStatus::Paused) {
        EXPECT_EQ(t.epochs_run(), static_cast<int>(std::pow(3, t.rung))) << "paused at a rung: " << t.id;
      }
      failed += t.status == TrialStatus::Failed;
      short_of_max += t.status != TrialStatus::Failed && t.epochs_run() < kEpochs;
    }
    EXPECT_GT(failed, 0) << "the objective's failures were exercised";
    // pbt changes parameters and stops no trial.
    if (std::string(TypeParam::yaml) != "{name: fifo}" && this->config.scheduler.name() != "pbt") {
      EXPECT_GT(short_of_max, kTrials / 4) << "it stops trials early";
    }
  }
}

TYPED_TEST(SchedulerContract, ARebuiltSchedulerMakesTheSameDecisions) {
  // Cut after the n-th message: most are reports, so the cut often falls between a trial's
  // report at a rung and the pause that follows it, the hardest moment to resume from.
  for (int workers : {1, 3, 40}) {
    for (int cut : {1, 40, 97, 160, 233, 301, 389, 452, 517, 603, 688, 751}) {
      auto original = testing::scheduler_for(this->config);
      auto sampler = this->sampler();
      sim::Simulation first(this->config, *sampler, *original, settings(workers));
      int messages = 0;
      first.run([&messages, cut](const sim::Simulation&) { return ++messages >= cut; });
      if (first.ended()) break;

      // A study resumed from its records: a fresh scheduler knows only the trials.
      auto rebuilt = testing::scheduler_for(this->config);
      rebuilt->rebuild(first.trials());
      for (const auto& t : first.trials()) EXPECT_EQ(rebuilt->rung_of(t), original->rung_of(t));
      auto sampler2 = this->sampler();
      sampler2->load_state(sampler->save_state());
      sim::Simulation second = first.fork(*sampler2, *rebuilt);

      SCOPED_TRACE("cut after message " + std::to_string(cut) + ", " + std::to_string(workers) + " workers");
      ASSERT_NO_THROW(first.run()) << "the original";
      ASSERT_NO_THROW(second.run()) << "the rebuilt one";
      const auto& a = first.trials();
      const auto& b = second.trials();
      ASSERT_EQ(a.size(), b.size());
      for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(a[i].status, b[i].status) << "trial " << i << ", cut at " << cut << ", " << workers << " workers";
        ASSERT_EQ(a[i].epochs_run(), b[i].epochs_run()) << "trial " << i << ", cut at " << cut;
        ASSERT_EQ(a[i].rung, b[i].rung) << "trial " << i;
        ASSERT_EQ(a[i].worker, b[i].worker) << "trial " << i;
      }
      EXPECT_EQ(first.now(), second.now());
    }
  }
}

TYPED_TEST(SchedulerContract, IsDeterministic) {
  auto run = [&] {
    auto scheduler = testing::scheduler_for(this->config);
    auto sampler = this->sampler();
    sim::Simulation s(this->config, *sampler, *scheduler, settings(9));
    s.run();
    return s.result("x");
  };
  const sim::SimResult a = run(), b = run();
  EXPECT_EQ(a.epochs, b.epochs);
  EXPECT_EQ(a.makespan, b.makespan);
  EXPECT_EQ(a.incumbent, b.incumbent);
  EXPECT_EQ(a.rungs, b.rungs);
}

TYPED_TEST(SchedulerContract, ValidatesItsOptionsNamingTheValue) {
  EXPECT_EQ(testing::option_error(TypeParam::yaml), "");
  EXPECT_EQ(testing::option_error(TypeParam::bad), TypeParam::bad_message);
  std::string with_typo = TypeParam::yaml;
  with_typo.insert(with_typo.size() - 1, ", reduction_factr: 3");
  const std::string name = this->config.scheduler.name();
  EXPECT_EQ(testing::option_error(with_typo),
            "study.yaml: scheduler.reduction_factr: 3 is not an option of " + name);
}

}  // namespace
}  // namespace rungs
