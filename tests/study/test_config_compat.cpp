// What a resumed study may change in its study file, and the one-line refusal otherwise.
#include <gtest/gtest.h>

#include <string>

#include "study/config.h"
#include "study/config_compat.h"

namespace rungs {
namespace {

const std::string kRecorded = R"(name: s
seed: 3
objective: {model: mlp, metric: val_accuracy}
search_space:
  lr: {type: float, low: 1.0e-4, high: 1.0e-1, log: true}
scheduler: {name: asha, reduction_factor: 3}
budget: {max_trials: 10, epochs: 4, epochs_total: 20}
)";

std::string changed(const std::string& from, const std::string& to) {
  std::string text = kRecorded;
  text.replace(text.find(from), from.size(), to);
  return text;
}

std::string incompatibility(const std::string& text, int trials_started = 6) {
  const StudyConfig now = parse_study_config(text, "s.yaml");
  return resume_incompatibility(now, kRecorded, "runs/s/study.h5", trials_started);
}

TEST(ConfigCompat, TheBudgetsLimitsMayChange) {
  EXPECT_EQ(incompatibility(kRecorded), "");
  EXPECT_EQ(incompatibility(changed("max_trials: 10, epochs: 4, epochs_total: 20",
                                    "max_trials: 30, epochs: 4, epochs_total: 90, seconds: 600, "
                                    "when_spent: stop")),
            "");
}

TEST(ConfigCompat, AnythingElseIsRefusedNamingTheField) {
  EXPECT_EQ(incompatibility(changed("epochs: 4", "epochs: 8")),
            "s.yaml: differs from the study in runs/s/study.h5 (budget.epochs: 4 there, 8 here); "
            "only budget.max_trials (not below the trials started), budget.seconds, "
            "budget.epochs_total, budget.when_spent, output, resources, checkpoints and "
            "preemption may change when resuming");
  EXPECT_NE(incompatibility(changed("reduction_factor: 3", "reduction_factor: 2"))
                .find("(scheduler.reduction_factor: 3 there, 2 here)"),
            std::string::npos);
  EXPECT_EQ(incompatibility(changed("max_trials: 10", "max_trials: 5")),
            "s.yaml: budget.max_trials: 5 is less than the 6 trials runs/s/study.h5 already has");
}

}  // namespace
}  // namespace rungs
