// `rungs best --yaml`: the values it writes read back as the same values and types, and the
// study file it writes searches nothing, trains one trial, and leaves the old study alone.
#include <gtest/gtest.h>

#include "report/retrain_study.h"
#include "study/config.h"

namespace rungs::report {
namespace {

TEST(RetrainStudy, ScalarsReadBackAsTheSameValueAndType) {
  const std::vector<ParamValue> values{1.0,  0.0034289576394339084, 1e-7, std::int64_t{64}, true,
                                       std::string("adam"), std::string("256"),
                                       std::string("true"), std::string("a: b")};
  for (const ParamValue& value : values) {
    const StudyConfig c = parse_study_config(
        "name: t\nobjective: {model: mlp}\nsearch_space: {}\nfixed: {v: " + yaml_scalar(value) +
            "}\nbudget: {max_trials: 1, epochs: 1}\n",
        "t.yaml");
    EXPECT_TRUE(same_value(c.fixed.at("v"), value)) << yaml_scalar(value);
  }
}

TEST(RetrainStudy, SearchesNothingAndTrainsOneTrialElsewhere) {
  StoredStudy study;
  study.name = "old";
  study.config_text = R"(name: old
output: runs/here
objective: {model: mlp, metric: val_accuracy}
search_space:
  lr: {type: float, low: 1.0e-4, high: 1.0e-1, log: true}
  batch: {type: categorical, choices: ["64", "128"]}
fixed: {layers: 2}
enqueue: [{lr: 0.01}]
sampler: {name: tpe}
scheduler: {name: asha}
budget: {max_trials: 50, epochs: 9}
)";
  TrialRecord best;
  best.id = 7;
  best.params = {{"lr", 0.02}, {"batch", std::string("128")}};
  const StudyConfig c = parse_study_config(retrain_study_yaml(study, best), "best.yaml");
  EXPECT_EQ(c.name, "old-best");
  EXPECT_EQ(c.output_dir, "runs/here-best");
  EXPECT_TRUE(c.space.empty());
  EXPECT_TRUE(c.enqueue.empty());
  EXPECT_EQ(c.fixed, (Params{{"layers", std::int64_t{2}}, {"lr", 0.02}, {"batch", std::string("128")}}));
  EXPECT_EQ(c.budget.max_trials, 1);
  EXPECT_EQ(c.budget.epochs, 9);
  EXPECT_EQ(c.scheduler.name(), "fifo");
}

}  // namespace
}  // namespace rungs::report
