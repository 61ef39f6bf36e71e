#include <gtest/gtest.h>

#include <string>

#include "study/config.h"
#include "study/errors.h"

namespace rungs {
namespace {

/// A study file whose objective is `objective` (a YAML flow map).
std::string study_with(const std::string& objective) {
  return "name: own\nobjective: " + objective +
         "\nsearch_space:\n  lr: {type: float, low: 1.0e-4, high: 1.0e-1}\n"
         "budget: {max_trials: 2, epochs: 1}\n";
}

/// The ConfigError parsing `objective` raises ("" when it parses).
std::string problem(const std::string& objective) {
  try {
    parse_study_config(study_with(objective), "/home/me/study.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(DataConfig, ResolvesRelativeFilesAgainstTheStudyFilesFolder) {
  const StudyConfig c = parse_study_config(
      study_with("{data: {file: sets/a.h5, train: {x: /tx, y: /ty}, val_fraction: 0.2}, "
                 "task: regression}"),
      "/home/me/study.yaml");
  ASSERT_TRUE(c.objective.data.has_value());
  EXPECT_EQ(c.objective.data->file, "/home/me/sets/a.h5");
  EXPECT_EQ(c.objective.data->train.x, "/tx");  // a dataset path, not a file
  EXPECT_DOUBLE_EQ(c.objective.data->val_fraction, 0.2);
  EXPECT_EQ(c.objective.task, Task::Regression);
  EXPECT_EQ(c.objective.metric, "val_loss");  // regression's default
  EXPECT_EQ(c.objective.direction, Direction::Minimize);
}

TEST(DataConfig, NpyNamesAreFilesBesideTheStudyFile) {
  const StudyConfig c = parse_study_config(
      study_with("{data: {train: {x: x.npy, y: /abs/y.npy}, val: {x: vx.npy, y: vy.npy}}, "
                 "metric: val_accuracy}"),
      "/home/me/study.yaml");
  EXPECT_EQ(c.objective.data->file, "");
  EXPECT_EQ(c.objective.data->train.x, "/home/me/x.npy");
  EXPECT_EQ(c.objective.data->train.y, "/abs/y.npy");
  EXPECT_EQ(c.objective.task, Task::Classification);
}

TEST(DataConfig, ValMetricsOfRegressionMinimize) {
  const StudyConfig c = parse_study_config(
      study_with("{data: {file: a.npz, train: {x: x, y: y}, val_fraction: 0.1}, task: regression, "
                 "metric: val_mae}"),
      "s.yaml");
  EXPECT_EQ(c.objective.direction, Direction::Minimize);
}

TEST(DataConfig, ErrorsNameTheFieldAndValue) {
  EXPECT_EQ(problem("{data: {file: a.h5, train: {x: /x, y: /y}, val: {x: /vx, y: /vy}, "
                    "val_fraction: 0.1}}"),
            "/home/me/study.yaml: objective.data.val_fraction: 0.1 is given with "
            "objective.data.val; give one of them");
  EXPECT_EQ(problem("{data: {file: a.h5, train: {x: /x, y: /y}, val_fraction: 1.5}}"),
            "/home/me/study.yaml: objective.data.val_fraction: 1.5 must be between 0 and 1 "
            "(exclusive)");
  EXPECT_EQ(problem("{data: {file: a.h5, train: {x: /x, y: /y}, val_fraction: 0}}"),
            "/home/me/study.yaml: objective.data.val_fraction: 0 must be between 0 and 1 "
            "(exclusive)");
  EXPECT_NE(problem("{data: {file: a.h5, train: {x: /x, y: /y}}}")
                .find("objective.data.val: is required"),
            std::string::npos);
  EXPECT_NE(problem("{data: {file: a.h5, train: {x: /x}, val_fraction: 0.1}}")
                .find("objective.data.train.y: is required"),
            std::string::npos);
  EXPECT_NE(problem("{data: {file: a.h5, train: {x: /x, y: /y}, val_fraction: 0.1, tset: {}}}")
                .find("tset"),
            std::string::npos);
  EXPECT_EQ(
      problem("{data: {file: a.h5, train: {x: /x, y: /y}, val_fraction: 0.1}, task: ranking}"),
      "/home/me/study.yaml: objective.task: ranking must be classification or regression");
  EXPECT_EQ(
      problem("{data: {file: a.h5, train: {x: /x, y: /y}, val_fraction: 0.1}, train_samples: 100}"),
      "/home/me/study.yaml: objective.train_samples: 100 is for Fashion-MNIST; it cannot be "
      "given with objective.data");
  EXPECT_NE(problem("{task: regression}").find("objective.task: regression is for objective.data"),
            std::string::npos);
}

}  // namespace
}  // namespace rungs
