// warm_start: what an earlier study's trials become in a new study's space, and the one-line
// errors for an old file that cannot be used.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "../temp_dir.h"
#include "io/study_file.h"
#include "io/warm_start.h"
#include "study/errors.h"

namespace rungs {
namespace {

using testing::TempDir;

const char* const kOldSpace = R"(
search_space:
  lr: {type: float, low: 1.0e-4, high: 0.1, log: true}
  width: {type: int, low: 16, high: 256}
  dropout: {type: float, low: 0.0, high: 0.5}
)";

StudyConfig config(const std::string& space, const std::string& extra = "",
                   const std::string& from = "old/study.h5") {
  return parse_study_config("name: new\nobjective: {model: mlp, metric: val_accuracy}\n" + space +
                                "budget: {max_trials: 10, epochs: 3}\nwarm_start: {from: " + from +
                                "}\n" + extra,
                            "new.yaml");
}

TrialRecord trial(int id, TrialStatus status, Params params, std::vector<double> values) {
  TrialRecord t;
  t.id = id;
  t.status = status;
  t.params = std::move(params);
  for (std::size_t i = 0; i < values.size(); ++i) {
    EpochResult e;
    e.epoch = static_cast<int>(i) + 1;
    e.value = values[i];
    e.set_metric("val_accuracy", values[i]);
    e.set_metric("val_loss", 1.0 - values[i]);
    t.curve.push_back(e);
  }
  return t;
}

StoredStudy old_study() {
  StoredStudy old;
  old.name = "old";
  old.metric = "val_accuracy";
  old.trials = {
      trial(0, TrialStatus::Completed, {{"lr", 0.01}, {"width", std::int64_t{64}}, {"dropout", 0.1}},
            {0.5, 0.6, 0.7, 0.8}),
      trial(1, TrialStatus::Stopped, {{"lr", 0.09}, {"width", std::int64_t{32}}, {"dropout", 0.2}},
            {0.3}),
      trial(2, TrialStatus::Failed, {{"lr", 0.05}, {"width", std::int64_t{16}}, {"dropout", 0.0}},
            {0.1}),
      trial(3, TrialStatus::Running, {{"lr", 0.02}, {"width", std::int64_t{128}}, {"dropout", 0.3}},
            {0.4, 0.5}),
  };
  return old;
}

TEST(WarmStart, FinishedTrialsAreCarriedIntoTheNewSpace) {
  // lr narrowed (0.09 is now out of bounds), width kept, dropout dropped, momentum new.
  const StudyConfig c = config(R"(search_space:
  lr: {type: float, low: 1.0e-4, high: 0.05, log: true}
  width: {type: int, low: 16, high: 256}
  momentum: {type: float, low: 0.0, high: 0.99}
)");
  const WarmStart warm = carry_over(old_study(), c);
  ASSERT_EQ(warm.trials.size(), 2u);  // completed and stopped; failed and running are not
  EXPECT_EQ(warm.trials[0].id, -1);
  EXPECT_EQ(warm.trials[1].id, -2);
  EXPECT_EQ(warm.trials[0].params, (Params{{"lr", 0.01}, {"width", std::int64_t{64}}}));
  EXPECT_EQ(warm.trials[1].params, (Params{{"width", std::int64_t{32}}}));  // lr 0.09 not used
  EXPECT_EQ(warm.trials[0].curve.size(), 3u) << "cut at the new budget.epochs";
  EXPECT_TRUE(warm.complete.empty()) << "no old trial has a value for momentum";
  EXPECT_EQ(warm.summary,
            "warm start from old/study.h5: 2 of 4 trials carried over (2 failed or unfinished "
            "left out); parameters kept: lr and width; dropped: dropout; new: momentum; 1 value "
            "outside the new bounds not used");
}

TEST(WarmStart, TheSchedulerGetsTrialsCompleteInTheNewSpace) {
  const WarmStart warm = carry_over(old_study(), config(kOldSpace));
  ASSERT_EQ(warm.trials.size(), 2u);
  ASSERT_EQ(warm.complete.size(), 2u);
  EXPECT_EQ(warm.complete[1].params.at("lr"), ParamValue(0.09));
}

TEST(WarmStart, ValuesAreThoseOfTheNewStudysMetric) {
  const StudyConfig c =
      parse_study_config("name: new\nobjective: {model: mlp, metric: val_loss}\n" +
                             std::string(kOldSpace) +
                             "budget: {max_trials: 10, epochs: 4}\nwarm_start: {from: x.h5}\n",
                         "new.yaml");
  const WarmStart warm = carry_over(old_study(), c);
  ASSERT_EQ(warm.trials.size(), 2u);
  EXPECT_DOUBLE_EQ(warm.trials[0].curve.back().value, 1.0 - 0.8);
}

TEST(WarmStart, AnOldStudyWithoutTheMetricIsOneError) {
  const StudyConfig c = parse_study_config(
      "name: new\nobjective: {model: mlp, metric: train_loss}\n" + std::string(kOldSpace) +
          "budget: {max_trials: 10, epochs: 4}\nwarm_start: {from: x.h5}\n",
      "new.yaml");
  try {
    carry_over(old_study(), c);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "new.yaml: warm_start.from: x.h5: its trials do not report train_loss (this "
                 "study's objective.metric); that study's metric is val_accuracy");
  }
}

TEST(WarmStart, AnOldStudyWithNoParameterInCommonIsOneError) {
  const StudyConfig c = config("search_space:\n  depth: {type: int, low: 1, high: 4}\n");
  try {
    carry_over(old_study(), c);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "new.yaml: warm_start.from: old/study.h5: shares no parameter with this "
                 "study's search_space (it searched dropout, lr and width)");
  }
}

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string error_of(const StudyConfig& c) {
  try {
    load_warm_start(c);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(WarmStart, ReadsARealStudyFileAndLeavesItAsItWas) {
  TempDir dir;
  const StudyConfig old_config = parse_study_config(
      "name: old\nobjective: {model: mlp}\n" + std::string(kOldSpace) +
          "budget: {max_trials: 4, epochs: 4}\noutput: " + dir.file("old") + "\n",
      "old.yaml");
  std::filesystem::create_directories(old_config.output_dir);
  const std::vector<TrialRecord> trials = old_study().trials;
  StudySnapshot snapshot;
  snapshot.config = &old_config;
  snapshot.trials = &trials;
  snapshot.state = "finished";
  write_study_file(old_config.study_file(), snapshot);
  const std::string before = contents(old_config.study_file());
  const auto mtime = std::filesystem::last_write_time(old_config.study_file());

  const WarmStart warm = load_warm_start(
      config(kOldSpace, "output: " + dir.file("new") + "\n", old_config.study_file()));
  EXPECT_EQ(warm.trials.size(), 2u);
  EXPECT_EQ(warm.complete.size(), 2u);
  EXPECT_EQ(contents(old_config.study_file()), before);
  EXPECT_EQ(std::filesystem::last_write_time(old_config.study_file()), mtime);

  // Its own file: refused.
  EXPECT_EQ(error_of(config(kOldSpace, "output: " + dir.file("old") + "\n", old_config.study_file())),
            "new.yaml: warm_start.from: " + old_config.study_file() +
                ": is this study's own file; warm_start reads an earlier study");
}

TEST(WarmStart, AMissingOrForeignFileIsOneError) {
  TempDir dir;
  EXPECT_EQ(error_of(config(kOldSpace, "", dir.file("none.h5"))),
            "new.yaml: warm_start.from: " + dir.file("none.h5") + ": no such file");
  std::ofstream(dir.file("junk.h5")) << "not a study\n";
  EXPECT_EQ(error_of(config(kOldSpace, "", dir.file("junk.h5"))),
            "new.yaml: warm_start.from: " + dir.file("junk.h5") + ": not an HDF5 file");
  EXPECT_EQ(error_of(config(kOldSpace)).find("no such file") != std::string::npos, true);
}

TEST(WarmStart, ConfigFieldErrors) {
  const auto error = [](const std::string& field) {
    try {
      parse_study_config("name: n\nobjective: {model: mlp}\n" + std::string(kOldSpace) +
                             "budget: {max_trials: 1, epochs: 1}\n" + field,
                         "s.yaml");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error("warm_start: {form: a.h5}\n").find("s.yaml: warm_start.form"), 0u) << error("warm_start: {form: a.h5}\n");
  EXPECT_EQ(error("warm_start: {}\n").find("s.yaml: warm_start.from"), 0u) << error("warm_start: {}\n");
  EXPECT_EQ(error("warm_start: old.h5\n").find("s.yaml: warm_start"), 0u) << error("warm_start: old.h5\n");
  EXPECT_EQ(error("warm_start: {from: a.h5}\n"), "no error");
}

}  // namespace
}  // namespace rungs
