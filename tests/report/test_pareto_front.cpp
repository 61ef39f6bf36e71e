// `rungs best` on a multi-objective study: the front a user reads is the feasible trials
// no other feasible trial beats on both objectives.
#include <gtest/gtest.h>

#include "report/pareto_front.h"

namespace rungs::report {
namespace {

const char* kStudy = R"(name: two
objective: {model: mlp}
objectives:
  - {metric: val_accuracy, direction: maximize}
  - {metric: params, direction: minimize}
constraints: [{metric: memory_mb, max: 100}]
search_space:
  width: {type: int, low: 16, high: 1024}
budget: {max_trials: 6, epochs: 1}
)";

TrialRecord trial(int id, double accuracy, double params, double memory, TrialStatus status = TrialStatus::Completed) {
  TrialRecord t;
  t.id = id;
  t.status = status;
  t.params = {{"width", std::int64_t{16 * (id + 1)}}};
  EpochResult r;
  r.epoch = 1;
  r.value = accuracy;
  r.metrics = {{"val_accuracy", accuracy}, {"params", params}, {"memory_mb", memory}};
  t.curve.push_back(r);
  return t;
}

StudyView two_objective_study() {
  StoredStudy s;
  s.config_text = kStudy;
  s.trials = {trial(0, 0.90, 1000, 50),  trial(1, 0.80, 100, 50),
              trial(2, 0.85, 2000, 50),  // dominated by trial 0
              trial(3, 0.70, 50, 50),    trial(4, 0.99, 10, 500),  // would dominate all; infeasible
              trial(5, 0.95, 5, 50, TrialStatus::Failed)};
  return make_study_view(std::move(s), "runs/two/study.h5");
}

TEST(ParetoFront, IsTheFeasibleTrialsNoneBeatsOnEveryObjective) {
  EXPECT_EQ(pareto_front(two_objective_study()), (std::vector<int>{0, 1, 3})) << "best accuracy first";
}

TEST(ParetoFront, PrintsOneLinePerTrialWithEachObjective) {
  const std::string text = format_front(two_objective_study());
  EXPECT_EQ(text.rfind("Pareto front: 3 trials (feasible, not dominated); 1 constraints\n"
                       "  trial  val_accuracy (max)  params (min)  parameters\n"
                       "      0  0.9  1000  width=16\n",
                       0),
            0u)
      << text;
  EXPECT_NE(text.find("      3  0.7  50  width=64\n"), std::string::npos) << text;
}

TEST(ParetoFront, NoneForASingleObjectiveStudy) {
  StoredStudy s;
  s.config_text = "name: one\nobjective: {model: mlp}\nsearch_space: {}\nbudget: {max_trials: 1, epochs: 1}\n";
  s.trials = {trial(0, 0.9, 1, 1)};
  const StudyView view = make_study_view(std::move(s));
  EXPECT_TRUE(pareto_front(view).empty());
  EXPECT_EQ(format_front(view), "");
}

}  // namespace
}  // namespace rungs::report
