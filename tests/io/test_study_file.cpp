#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>

#include "io/h5.h"
#include "io/h5_attribute.h"
#include "io/h5_column.h"
#include "io/study_file.h"
#include "study/errors.h"
#include "study_fixture.h"
#include "tests/temp_dir.h"

namespace rungs {
namespace {

using testing::difference;
using testing::sample_config;
using testing::sample_trials;
using testing::TempDir;

std::string binary_state() { return std::string("sampler\0state\xff", 14); }

StudySnapshot snapshot_of(const StudyConfig& config, const std::vector<TrialRecord>& trials) {
  StudySnapshot snapshot;
  snapshot.config = &config;
  snapshot.trials = &trials;
  snapshot.state = "finished";
  snapshot.start_time = 1.7e9;
  snapshot.elapsed = 123.5;
  snapshot.test = TestResult{3, 0.875, 0.4};
  snapshot.sampler_state = binary_state();
  snapshot.scheduler_state = "{rungs: [1, 3, 9]}";
  return snapshot;
}

std::vector<TrialRecord> as_stored(const std::vector<TrialRecord>& trials) {
  std::vector<TrialRecord> stored;
  for (const TrialRecord& trial : trials) stored.push_back(testing::stored_form(trial));
  return stored;
}

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const IoError& error) {
    return error.what();
  }
  return "no IoError";
}

TEST(StudyFile, RoundTripKeepsEveryField) {
  TempDir dir;
  const std::string path = dir.file("study.h5");
  const StudyConfig config = sample_config();
  const std::vector<TrialRecord> trials = sample_trials(11);
  write_study_file(path, snapshot_of(config, trials));

  const StoredStudy stored = read_study_file(path);
  EXPECT_EQ(stored.format_version, kStudyFormatVersion);
  EXPECT_EQ(stored.config_text, config.text);
  EXPECT_EQ(stored.name, "t");
  EXPECT_EQ(stored.metric, "val_accuracy");
  EXPECT_EQ(stored.direction, Direction::Maximize);
  EXPECT_EQ(stored.state, "finished");
  EXPECT_EQ(stored.start_time, 1.7e9);
  EXPECT_EQ(stored.elapsed, 123.5);
  ASSERT_TRUE(stored.test.has_value());
  EXPECT_EQ(stored.test->trial_id, 3);
  EXPECT_EQ(stored.test->accuracy, 0.875);
  EXPECT_EQ(stored.test->loss, 0.4);
  EXPECT_EQ(stored.sampler_state, binary_state());
  EXPECT_EQ(stored.scheduler_state, "{rungs: [1, 3, 9]}");

  const std::vector<TrialRecord> expected = as_stored(trials);
  ASSERT_EQ(stored.trials.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(difference(expected[i], stored.trials[i]), "");
  }
  // Spot checks of what the fixture promises, so the comparison above cannot pass vacuously.
  EXPECT_EQ(stored.trials[2].status, TrialStatus::Failed);
  EXPECT_EQ(stored.trials[2].reason, "loss became NaN at epoch 2");
  EXPECT_EQ(stored.trials[0].params.count("momentum"), 0u);
  EXPECT_EQ(std::get<double>(stored.trials[1].params.at("momentum")), 0.9);
  EXPECT_EQ(std::get<bool>(stored.trials[0].params.at("nesterov")), true);
  EXPECT_EQ(std::get<std::int64_t>(stored.trials[1].params.at("layers")), 2);
  EXPECT_EQ(stored.trials[0].curve.size(), 0u);
  EXPECT_EQ(stored.trials[3].curve.size(), 10u);
}

TEST(StudyFile, MixedCategoricalsAreStringsUntilRestored) {
  TempDir dir;
  const std::string path = dir.file("study.h5");
  const StudyConfig config = sample_config();
  const std::vector<TrialRecord> trials = sample_trials(4);
  write_study_file(path, snapshot_of(config, trials));
  StoredStudy stored = read_study_file(path);
  EXPECT_EQ(std::get<std::string>(stored.trials[0].params.at("width")), "64");
  restore_choice_types(config.space, stored.trials);
  for (std::size_t i = 0; i < trials.size(); ++i) {
    EXPECT_EQ(difference(trials[i], stored.trials[i]), "");
  }
}

TEST(StudyFile, TrialsAreStoredInIdOrder) {
  TempDir dir;
  const std::string path = dir.file("study.h5");
  const StudyConfig config = sample_config();
  std::vector<TrialRecord> trials = sample_trials(5);
  std::swap(trials[0], trials[4]);
  std::swap(trials[1], trials[2]);
  write_study_file(path, snapshot_of(config, trials));
  const StoredStudy stored = read_study_file(path);
  ASSERT_EQ(stored.trials.size(), 5u);
  for (int id = 0; id < 5; ++id) EXPECT_EQ(stored.trials[id].id, id);
  EXPECT_EQ(stored.trials[3].curve.size(), 10u);
}

TEST(StudyFile, ColumnsHaveTheDocumentedTypes) {
  TempDir dir;
  const std::string path = dir.file("study.h5");
  const StudyConfig config = sample_config();
  const std::vector<TrialRecord> trials = sample_trials(6);
  write_study_file(path, snapshot_of(config, trials));

  const h5::File file = h5::File::open_read_only(path);
  const h5::Group root = file.root();
  const h5::Group params = root.open_group("trials").open_group("params");
  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"lr", "float"},       {"layers", "int"},    {"optimizer", "string"},
      {"momentum", "float"}, {"nesterov", "bool"}, {"width", "string"}};
  for (const auto& [name, kind] : kinds) {
    EXPECT_EQ(h5::read_string_attribute(h5::open_dataset(params, name), "kind"), kind) << name;
  }
  // Only the conditional parameter has a companion "present" column.
  const h5::Group active = root.open_group("trials").open_group("params_active");
  EXPECT_EQ(active.children(), std::vector<std::string>{"momentum"});
  EXPECT_EQ(h5::read_column<bool>(active, "momentum"),
            (std::vector<bool>{false, true, false, true, false, true}));
  EXPECT_TRUE(std::isnan(h5::read_column<double>(params, "momentum")[0]));

  const h5::Group trials_group = root.open_group("trials");
  const std::vector<double> best = h5::read_column<double>(trials_group, "best_value");
  EXPECT_TRUE(std::isnan(best[0]));  // trial 0 reported no epoch
  EXPECT_EQ(best[1], *trials[1].best_value(Direction::Maximize));
  EXPECT_EQ(h5::read_column<std::int64_t>(trials_group, "epochs_run"),
            (std::vector<std::int64_t>{0, 7, 3, 10, 6, 2}));
  const h5::Group curves = root.open_group("curves");
  EXPECT_EQ(h5::read_column<std::int64_t>(curves, "trial_id").size(), 28u);
}

TEST(StudyFile, EmptyStudyRoundTrips) {
  TempDir dir;
  const std::string path = dir.file("study.h5");
  const StudyConfig config = sample_config();
  const std::vector<TrialRecord> trials;
  StudySnapshot snapshot;
  snapshot.config = &config;
  snapshot.trials = &trials;
  write_study_file(path, snapshot);

  const StoredStudy stored = read_study_file(path);
  EXPECT_TRUE(stored.trials.empty());
  EXPECT_FALSE(stored.test.has_value());
  EXPECT_EQ(stored.sampler_state, "");
  EXPECT_EQ(stored.state, "running");
  // The parameter columns exist, typed from the search space, with no rows.
  const h5::File file = h5::File::open_read_only(path);
  const h5::Group params = file.root().open_group("trials").open_group("params");
  EXPECT_EQ(params.children().size(), 6u);
  EXPECT_EQ(h5::read_string_attribute(h5::open_dataset(params, "layers"), "kind"), "int");
}

TEST(StudyFile, MissingFileIsNamed) {
  TempDir dir;
  const std::string path = dir.file("missing.h5");
  EXPECT_EQ(message_of([&] { read_study_file(path); }), path + ": No such file or directory");
}

TEST(StudyFile, TextFileIsNotHdf5) {
  TempDir dir;
  const std::string path = dir.file("study.yaml");
  std::ofstream(path) << "name: t\n";
  EXPECT_EQ(message_of([&] { read_study_file(path); }), path + ": not an HDF5 file");
}

TEST(StudyFile, PlainHdf5FileIsNotAStudy) {
  TempDir dir;
  const std::string path = dir.file("other.h5");
  {
    h5::File file = h5::File::create(path);
    { h5::write_column(file.root(), "x", std::vector<double>{1.0}); }
    file.close();
  }
  EXPECT_EQ(message_of([&] { read_study_file(path); }),
            path + ": not a rungs study file (no 'format' attribute)");
}

// tests/io/data/study_format1.h5 is the sample study as rungs 0.1 wrote it (format 1: the
// three built-in metrics as /curves datasets), by rungs_io_write_sample_study of that version.
TEST(StudyFile, ReadsFormatVersion1) {
  const StoredStudy stored = read_study_file(RUNGS_TEST_DATA_DIR "/study_format1.h5");
  EXPECT_EQ(stored.format_version, 1);
  const std::vector<TrialRecord> expected = sample_trials(6);
  ASSERT_EQ(stored.trials.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const TrialRecord& got = stored.trials[i];
    ASSERT_EQ(got.curve.size(), expected[i].curve.size()) << "trial " << i;
    for (std::size_t e = 0; e < got.curve.size(); ++e) {
      const EpochResult& a = got.curve[e];
      const EpochResult& b = expected[i].curve[e];
      EXPECT_EQ(a.epoch, b.epoch);
      EXPECT_EQ(a.value, b.value);
      EXPECT_EQ(a.seconds, b.seconds);
      EXPECT_EQ(a.metrics.size(), 3u) << "the fixed metrics, and only those";
      for (const char* name : {"val_accuracy", "val_loss", "train_loss"}) {
        EXPECT_EQ(a.metric(name), b.metric(name)) << "trial " << i << " epoch " << a.epoch << " " << name;
      }
    }
  }
}

TEST(StudyFile, AMetricSomeEpochsLackIsAbsentThere) {
  TempDir dir;
  const std::string path = dir.file("study.h5");
  const StudyConfig config = sample_config();
  std::vector<TrialRecord> trials = sample_trials(2);
  trials[1].curve.at(0).set_metric("only_here", 4.5);
  StudySnapshot snapshot;
  snapshot.config = &config;
  snapshot.trials = &trials;
  write_study_file(path, snapshot);
  const StoredStudy stored = read_study_file(path);
  EXPECT_EQ(stored.format_version, kStudyFormatVersion);
  EXPECT_EQ(stored.trials[1].curve.at(0).metric("only_here"), 4.5);
  for (const TrialRecord& t : stored.trials) {
    for (const EpochResult& e : t.curve) {
      if (&e != &stored.trials[1].curve[0]) {
        EXPECT_FALSE(e.metric("only_here")) << t.id;
      }
    }
  }
}

TEST(StudyFile, NewerFormatVersionIsRejected) {
  TempDir dir;
  const std::string path = dir.file("future.h5");
  {
    h5::File file = h5::File::create(path);
    {
      const h5::Group root = file.root();
      h5::write_string_attribute(root, "format", "rungs-study");
      h5::write_int_attribute(root, "format_version", kStudyFormatVersion + 1);
    }
    file.close();
  }
  const std::string message = message_of([&] { read_study_file(path); });
  const std::string newer = std::to_string(kStudyFormatVersion + 1);
  EXPECT_EQ(message.rfind(path + ": format_version " + newer + " is newer", 0), 0u) << message;
}

TEST(StudyFile, WritingToAMissingDirectoryNamesTheFile) {
  const StudyConfig config = sample_config();
  const std::vector<TrialRecord> trials = sample_trials(2);
  const std::string path = "/nonexistent-rungs-dir/study.h5";
  const std::string message =
      message_of([&] { write_study_file(path, snapshot_of(config, trials)); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
}

// A study of 1,000 trials x 100 epochs (100,000 curve rows) reads back whole. How long its
// write takes is a benchmark: build/bench/io/snapshot_bench.
TEST(StudyFile, ThousandTrialsOfHundredEpochsRoundTrip) {
  TempDir dir;
  const std::string path = dir.file("study.h5");
  const StudyConfig config = sample_config();
  std::vector<TrialRecord> trials;
  for (int id = 0; id < 1000; ++id) trials.push_back(testing::timing_trial(id, 100));
  write_study_file(path, snapshot_of(config, trials));

  const StoredStudy stored = read_study_file(path);
  ASSERT_EQ(stored.trials.size(), 1000u);
  for (const int id : {0, 511, 999}) {
    EXPECT_EQ(difference(testing::stored_form(trials[id]), stored.trials[id]), "");
  }
}

}  // namespace
}  // namespace rungs
