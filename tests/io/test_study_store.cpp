#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/study_lock.h"
#include "io/study_store.h"
#include "study/errors.h"
#include "study_fixture.h"
#include "tests/temp_dir.h"

namespace rungs {
namespace {

TEST(StudyStore, CommittedChangesSurviveWithoutASnapshot) {
  testing::TempDir dir;
  const std::string path = dir.file("study.h5");
  const StudyConfig config = testing::sample_config();
  std::vector<TrialRecord> trials = testing::sample_trials(3);
  {
    StudyStore store(path);
    EXPECT_FALSE(store.existing().has_value());
    StudySnapshot s;
    s.config = &config;
    s.trials = &trials;
    store.snapshot(s);
    // After the snapshot: a new trial and an epoch, committed but never snapshotted (as if
    // the coordinator were killed a moment later).
    TrialRecord t = testing::sample_trial(3);
    t.curve.clear();
    store.trial_changed(t);
    EpochResult r;
    r.epoch = 1;
    r.value = 0.5;
    t.curve.push_back(r);
    store.epoch_added(t, r);
    store.commit();
    trials.push_back(t);
  }
  StudyStore reopened(path);
  ASSERT_TRUE(reopened.existing().has_value());
  const auto& got = reopened.existing()->trials;
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[3].epochs_run(), 1);
  EXPECT_DOUBLE_EQ(got[3].curve[0].value, 0.5);
}

/// A study of 3 snapshotted trials and one more trial only in the journal.
void write_study_with_journal(const std::string& path) {
  const StudyConfig config = testing::sample_config();
  std::vector<TrialRecord> trials = testing::sample_trials(3);
  StudyStore store(path);
  StudySnapshot s;
  s.config = &config;
  s.trials = &trials;
  store.snapshot(s);
  TrialRecord t = testing::sample_trial(3);
  t.curve.clear();
  store.trial_changed(t);
  store.commit();
}

// A zero-filled tail (a power loss on ext4 or XFS) loses nothing that was synced, and says
// what it cut off.
TEST(StudyStore, AZeroFilledJournalTailIsCutOffWithAWarning) {
  testing::TempDir dir;
  const std::string path = dir.file("study.h5");
  write_study_with_journal(path);
  std::ofstream(path + ".journal", std::ios::binary | std::ios::app) << std::string(4096, '\0');
  std::ostringstream log;
  StudyStore store(path, log);
  ASSERT_TRUE(store.existing().has_value());
  EXPECT_EQ(store.existing()->trials.size(), 4u);
  const std::string err = log.str();
  EXPECT_NE(err.find("warning: " + path + ".journal: cut off 4096 bytes"), std::string::npos) << err;
}

TEST(StudyStore, AJournalDamagedInTheMiddleIsRefusedAndLeftAlone) {
  testing::TempDir dir;
  const std::string path = dir.file("study.h5");
  write_study_with_journal(path);
  const std::string journal = path + ".journal";
  const auto size = std::filesystem::file_size(journal);
  {
    StudyStore store(path);
    TrialRecord t = testing::sample_trial(4);
    t.curve.clear();
    store.trial_changed(t);
    store.commit();
  }
  {
    std::fstream f(journal, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size) - 1);  // the last byte of the first record
    f.put('\xff');
  }
  const auto damaged = std::filesystem::file_size(journal);
  try {
    StudyStore store(path);
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(journal + ": damaged record at byte "), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(std::filesystem::file_size(journal), damaged);
}

TEST(StudyStore, ADamagedStudyFileIsRefusedAndLeftAlone) {
  testing::TempDir dir;
  const std::string path = dir.file("study.h5");
  std::ofstream(path) << "not hdf5";
  EXPECT_THROW(StudyStore store(path), IoError);
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "not hdf5");
}

TEST(StudyLock, ASecondLockIsRefusedWhileTheFirstIsHeld) {
  testing::TempDir dir;
  const std::string path = dir.file("study.h5");
  {
    StudyLock first(path);
    try {
      StudyLock second(path);  // the same live process holds it
      FAIL();
    } catch (const ConfigError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(path + ": in use by pid " + std::to_string(getpid())), std::string::npos)
          << message;
      EXPECT_NE(message.find("remove " + path + ".lock"), std::string::npos) << message;
    }
  }
  StudyLock again(path);  // released by the destructor
  EXPECT_FALSE(again.recovered());
}

TEST(StudyLock, AStaleLockOfADeadProcessIsTakenOver) {
  testing::TempDir dir;
  const std::string path = dir.file("study.h5");
  const pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);  // a pid that is certainly not running now
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  std::ofstream(path + ".lock") << "host=" << host << "\npid=" << child << "\njob=\nstarted=1\n";
  StudyLock lock(path);
  EXPECT_TRUE(lock.recovered());
}

TEST(StudyLock, ParsesItsOwner) {
  const LockOwner o = parse_lock("host=n01\npid=42\njob=777\nstarted=5\n");
  EXPECT_EQ(o.host, "n01");
  EXPECT_EQ(o.pid, 42);
  EXPECT_EQ(o.job, "777");
}

}  // namespace
}  // namespace rungs
