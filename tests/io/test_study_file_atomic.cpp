#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "io/study_file.h"
#include "io/study_file_atomic.h"
#include "study/errors.h"
#include "study_fixture.h"
#include "tests/temp_dir.h"

namespace rungs {
namespace {

using testing::sample_config;
using testing::sample_trials;
using testing::TempDir;

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

void write_trials(const std::string& path, const StudyConfig& config, int count) {
  const std::vector<TrialRecord> trials = sample_trials(count);
  StudySnapshot snapshot;
  snapshot.config = &config;
  snapshot.trials = &trials;
  write_study_file(path, snapshot);
}

TEST(ReplaceFileAtomically, ReplacesAndLeavesNoTemporary) {
  TempDir dir;
  const std::string path = dir.file("f");
  write_text(path, "old");
  replace_file_atomically(path, [](const std::string& temporary) { write_text(temporary, "new"); });
  EXPECT_EQ(contents(path), "new");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(ReplaceFileAtomically, FailedWriteKeepsTheOldFileAndRemovesTheTemporary) {
  TempDir dir;
  const std::string path = dir.file("f");
  write_text(path, "old");
  EXPECT_THROW(replace_file_atomically(path,
                                       [](const std::string& temporary) {
                                         write_text(temporary, "half");
                                         throw std::runtime_error("disk full");
                                       }),
               std::runtime_error);
  EXPECT_EQ(contents(path), "old");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(ReplaceFileAtomically, WriterThatCreatesNothingIsAnIoErrorNamingTheTemporary) {
  TempDir dir;
  const std::string path = dir.file("f");
  write_text(path, "old");
  try {
    replace_file_atomically(path, [](const std::string&) {});
    FAIL() << "no IoError";
  } catch (const IoError& error) {
    EXPECT_NE(std::string(error.what()).find(path + ".tmp"), std::string::npos) << error.what();
  }
  EXPECT_EQ(contents(path), "old");
}

TEST(StudyFileReplace, EveryWriteLeavesAReadableFile) {
  TempDir dir;
  const std::string path = dir.file("study.h5");
  const StudyConfig config = sample_config();
  for (int count = 0; count < 5; ++count) {
    write_trials(path, config, count);
    EXPECT_EQ(read_study_file(path).trials.size(), static_cast<std::size_t>(count));
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  }
}

TEST(StudyFileReplace, LeftoverTemporaryFromAKilledWriterDoesNotBreakTheNextWrite) {
  TempDir dir;
  const std::string path = dir.file("study.h5");
  const StudyConfig config = sample_config();
  write_trials(path, config, 3);
  // A writer killed mid-write leaves a truncated HDF5 file behind.
  const std::string whole = contents(path);
  write_text(path + ".tmp", whole.substr(0, whole.size() / 2));
  EXPECT_EQ(read_study_file(path).trials.size(), 3u);
  write_trials(path, config, 4);
  EXPECT_EQ(read_study_file(path).trials.size(), 4u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  write_text(path + ".tmp", "garbage");
  write_trials(path, config, 5);
  EXPECT_EQ(read_study_file(path).trials.size(), 5u);
}

TEST(StudyFileReplace, FailedWriteKeepsThePreviousStudy) {
  TempDir dir;
  const std::string path = dir.file("study.h5");
  const StudyConfig config = sample_config();
  write_trials(path, config, 3);
  // A parameter name HDF5 cannot hold as a dataset name makes the write fail midway.
  std::vector<TrialRecord> trials = sample_trials(4);
  trials[1].params["bad/name"] = 1.0;
  StudySnapshot snapshot;
  snapshot.config = &config;
  snapshot.trials = &trials;
  EXPECT_THROW(write_study_file(path, snapshot), IoError);
  EXPECT_EQ(read_study_file(path).trials.size(), 3u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

}  // namespace
}  // namespace rungs
