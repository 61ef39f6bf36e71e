// The simulator, and the ASHA paper's claims about scale (Li et al., MLSys 2020, section 3)
// shown with it.
#include "schedulers/sim/simulation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "samplers/enqueued_sampler.h"
#include "scheduler_fixture.h"
#include "schedulers/actions.h"
#include "schedulers/hyperband.h"
#include "schedulers/sim/report.h"

namespace rungs {
namespace {

using sim::SimResult;
using sim::SimSettings;

SimSettings uniform(int workers) {
  SimSettings s;
  s.workers = workers;
  s.objective.cost_spread = 0.0;  // every epoch of every configuration costs 1: time(R) = 9
  return s;
}

SimSettings uneven(int workers) {
  SimSettings s = uniform(workers);
  s.objective.cost_spread = 1.0;  // epochs cost 0.5 to 1.5 depending on the configuration
  return s;
}

SimResult run(const std::string& scheduler, int trials, const SimSettings& settings, int epochs = 9) {
  const StudyConfig config = testing::study(scheduler, trials, epochs);
  return sim::simulate(config, config.scheduler, settings, scheduler);
}

TEST(SyntheticObjective, CurvesAreDeterministicNoisyAndCross) {
  const StudyConfig config = testing::study("fifo");
  sim::ObjectiveSettings settings;
  settings.seed = 3;
  const sim::SyntheticObjective objective(config.space, Direction::Maximize, 9, settings);
  auto sampler = make_sampler(config.sampler, config.space, Direction::Maximize, 1);
  std::vector<TrialRecord> none;
  std::vector<sim::Curve> curves;
  double squared = 0.0;
  int n = 0;
  for (int i = 0; i < 300; ++i) {
    const Params p = *sampler->suggest(i, none);
    const sim::Curve c = objective.curve(p, 1000 + i);
    EXPECT_EQ(c.a, objective.curve(p, 1000 + i).a);
    EXPECT_GE(c.epoch_cost, 0.5);
    EXPECT_LE(c.epoch_cost, 1.5);
    EXPECT_EQ(c.fail_epoch, 0);
    for (int e = 1; e <= 9; ++e) {
      if (e > 1) {
        EXPECT_GT(objective.truth(c, e), objective.truth(c, e - 1)) << "curves rise";
      }
      const double noise = objective.observed(c, e, 1000 + i) - objective.truth(c, e);
      EXPECT_EQ(objective.observed(c, e, 1000 + i), objective.truth(c, e) + noise);
      squared += noise * noise;
      ++n;
    }
    curves.push_back(c);
  }
  EXPECT_NEAR(std::sqrt(squared / n), settings.noise, settings.noise * 0.1);
  // Early and final rankings disagree on a fair share of pairs: early stopping can err.
  int discordant = 0, pairs = 0;
  for (std::size_t i = 0; i < curves.size(); ++i) {
    for (std::size_t j = i + 1; j < curves.size(); ++j) {
      ++pairs;
      discordant += (curves[i].accuracy(1) > curves[j].accuracy(1)) != (curves[i].accuracy(9) > curves[j].accuracy(9));
    }
  }
  EXPECT_GT(discordant, pairs / 20);
  EXPECT_LT(discordant, pairs / 2);
}

TEST(SyntheticObjective, FailuresAndMinimizing) {
  const StudyConfig config = testing::study("fifo");
  sim::ObjectiveSettings settings;
  settings.failure_rate = 0.1;
  const sim::SyntheticObjective max(config.space, Direction::Maximize, 9, settings);
  const sim::SyntheticObjective min(config.space, Direction::Minimize, 9, settings);
  const Params p{{"lr", 0.01}, {"dropout", 0.2}};
  int failing = 0;
  for (std::uint64_t seed = 0; seed < 4000; ++seed) {
    const sim::Curve c = max.curve(p, seed);
    if (c.fail_epoch) {
      ++failing;
      EXPECT_GE(c.fail_epoch, 1);
      EXPECT_LE(c.fail_epoch, 9);
    }
  }
  EXPECT_NEAR(failing / 4000.0, 0.1, 0.02);
  const sim::Curve c = max.curve(p, 1);
  EXPECT_DOUBLE_EQ(min.observed(c, 3, 5), 1.0 - max.observed(c, 3, 5));
}

TEST(Simulation, FifoTrainsEverythingAndKeepsWorkersBusy) {
  const SimResult r = run("fifo", 12, uniform(4));
  EXPECT_EQ(r.trials, 12);
  EXPECT_EQ(r.completed, 12);
  EXPECT_EQ(r.epochs, 12 * 9);
  EXPECT_DOUBLE_EQ(r.makespan, 27.0) << "three rounds of four trials";
  EXPECT_DOUBLE_EQ(r.utilization, 1.0);
  EXPECT_DOUBLE_EQ(r.first_full, 9.0);
  EXPECT_DOUBLE_EQ(r.time_unit, 9.0);
  EXPECT_TRUE(std::isnan(r.regret_at(0.9, r.best_truth))) << "no result before the first epoch ends, at 1";
  EXPECT_FALSE(std::isnan(r.regret_at(1.0, r.best_truth)));
}

// With eta = 3 and R/r = 9 (K = log_eta(R/r) = 2), and a bracket of W * eta^K trials so that
// synchronous SH keeps all W workers busy, the first configuration trained to R arrives:
// - with ASHA after time(R): the first trial to reach each rung is promoted at once;
// - with synchronous SH only after every rung below R finished: (K + 1) time(R) when each
//   rung costs its full resource (the paper's accounting, trials retrained on promotion),
//   1 + K (1 - 1/eta) = 2.33 time(R) when promoted trials resume from a checkpoint.
TEST(AshaPaper, FirstConfigurationTrainedToRAfterAboutTimeR) {
  const int W = 256, trials = 9 * W;
  const SimResult asha = run("{name: asha}", trials, uniform(W));
  const SimResult asha_promotion = run("{name: asha, mode: promotion}", trials, uniform(W));
  const SimResult sh = run("{name: successive_halving}", trials, uniform(W));
  SimSettings retrain = uniform(W);
  retrain.retrain_on_resume = true;
  const SimResult sh_retrain = run("{name: successive_halving}", trials, retrain);
  const SimResult asha_retrain = run("{name: asha, mode: promotion}", trials, retrain);

  const double T = asha.time_unit;
  ASSERT_DOUBLE_EQ(T, 9.0);
  EXPECT_NEAR(asha.first_full / T, 1.0, 1e-9);
  EXPECT_NEAR(asha_promotion.first_full / T, 1.0, 0.05);
  EXPECT_NEAR(sh.first_full / T, 1.0 + 2.0 * (1.0 - 1.0 / 3.0), 0.02);
  EXPECT_NEAR(sh_retrain.first_full / T, std::log(9.0) / std::log(3.0) + 1.0, 0.02);
  EXPECT_LT(asha_retrain.first_full / T, 1.5);
  // All of them spend far fewer epochs than training every trial to R.
  for (const SimResult* r : {&asha, &asha_promotion, &sh}) EXPECT_LT(r->epochs, trials * 9 / 3);
}

// With uneven trial costs a synchronous rung ends with its slowest trial: the workers that
// finished early wait. ASHA hands every idle worker a new trial or a promotion.
TEST(AshaPaper, AshaKeepsManyWorkersBusyWhereSynchronousShIdlesAtRungBoundaries) {
  const int W = 256, trials = 100000;
  const SimResult asha = run("{name: asha}", trials, uneven(W));
  const SimResult sh = run("{name: successive_halving, trials_per_bracket: 2304}", trials, uneven(W));
  EXPECT_GE(asha.steady_utilization, 0.999) << "while the trial budget lasts";
  // The last trials leave workers idle at the end, whatever the scheduler: about 1% here.
  EXPECT_GE(asha.utilization, 0.98) << "over the whole run, the final drain included";
  EXPECT_LT(sh.steady_utilization, 0.85);
  EXPECT_LT(sh.utilization, 0.85);
  EXPECT_LT(asha.makespan, 0.85 * sh.makespan) << "same trials, same epochs (about), less time";
}

TEST(Simulation, ScalesTo4096WorkersAnd100000Trials) {
  const SimResult r = run("{name: asha}", 100000, uneven(4096));
  EXPECT_EQ(r.trials, 100000);
  EXPECT_GE(r.steady_utilization, 0.99);
  EXPECT_GT(r.stopped, 80000) << "most trials stop at the lowest rung";
  ASSERT_EQ(r.rungs.size(), 3u);
  EXPECT_GT(r.rungs[0], r.rungs[1]);
  EXPECT_GT(r.rungs[1], r.rungs[2]);
}

TEST(Simulation, HyperbandBracketsInTheSimulator) {
  const StudyConfig config = testing::study("{name: hyperband}", 1700, 9);
  auto sampler = make_study_sampler(config);
  auto scheduler = testing::scheduler_for(config);
  const auto& hb = dynamic_cast<const HyperbandScheduler&>(*scheduler);
  sim::Simulation simulation(config, *sampler, *scheduler, uneven(32));
  simulation.run();
  std::map<int, int> per_bracket;
  for (const auto& t : simulation.trials()) {
    const int b = hb.bracket_of(t.id);
    ++per_bracket[b];
    if (b == 2) {
      EXPECT_EQ(t.status, TrialStatus::Completed) << "bracket 2 stops nobody";
    } else if (t.status == TrialStatus::Stopped) {
      EXPECT_TRUE(t.epochs_run() == 3 || (b == 0 && t.epochs_run() == 1)) << t.id;
    }
  }
  EXPECT_EQ(per_bracket, (std::map<int, int>{{0, 900}, {1, 500}, {2, 300}}));
}

TEST(Simulation, RegretIsMeasuredAgainstTheBestSampledConfiguration) {
  const StudyConfig config = testing::study("fifo", 300, 9);
  const auto results = sim::compare(config, sim::standard_lineup(config), uneven(16));
  ASSERT_EQ(results.size(), 6u);
  const double reference = sim::common_reference(results);
  for (const SimResult& r : results) {
    EXPECT_EQ(r.best_truth, reference) << r.label << ": every scheduler sampled the same configurations";
    for (double t : {1.0, 3.0, 10.0, 1e9}) {
      const double regret = r.regret_at(t * r.time_unit, reference);
      if (!std::isnan(regret)) {
        EXPECT_GE(regret, 0.0) << r.label;
      }
    }
    EXPECT_FALSE(std::isnan(r.regret_at(r.makespan, reference))) << r.label;
  }
}

/// Misbehaving schedulers: the simulator refuses what would break or hang a real study.
class WaitsForever : public Scheduler {
 public:
  NextAction next(const SchedulerView&) override { return {NextAction::Kind::Wait, -1, 0}; }
  Verdict on_report(const TrialRecord&, const std::vector<TrialRecord>&) override { return Verdict::Continue; }
};
class ResumesTrialZero : public Scheduler {
 public:
  NextAction next(const SchedulerView& v) override {
    return v.trials.empty() ? start_trial(9) : resume_trial(0, 9);
  }
  Verdict on_report(const TrialRecord&, const std::vector<TrialRecord>&) override { return Verdict::Continue; }
};

TEST(Simulation, RefusesWhatTheCoordinatorCouldNotDo) {
  const StudyConfig config = testing::study("fifo", 5, 9);
  auto sampler = make_study_sampler(config);
  WaitsForever waits;
  sim::Simulation a(config, *sampler, waits, uniform(2));
  EXPECT_THROW(
      try { a.run(); } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "scheduler answered Wait with no trial running: the study would hang");
        throw;
      },
      Error);
  ResumesTrialZero resumes;
  sim::Simulation b(config, *sampler, resumes, uniform(2));
  EXPECT_THROW(
      try { b.run(); } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "scheduler asked to resume trial 0, which is running");
        throw;
      },
      Error);
}

}  // namespace
}  // namespace rungs
