#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

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
