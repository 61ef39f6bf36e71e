#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/study_lock.h"
#include "study/errors.h"
#include "tests/temp_dir.h"

namespace rungs {
namespace {

std::string host_name() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return host;
}

/// A pid that is certainly not running now.
pid_t dead_pid() {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

void set_age(const std::string& path, int seconds) {
  timeval now{};
  gettimeofday(&now, nullptr);
  const timeval then{now.tv_sec - seconds, now.tv_usec};
  const timeval times[2] = {then, then};
  ASSERT_EQ(::utimes(path.c_str(), times), 0);
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  return names;
}

// Jobs that start together on a study whose lock is stale must not both take it: each round,
// several processes judge the same stale lock at the same moment; exactly one may win.
TEST(StudyLock, OnlyOneOfSeveralJobsTakesOverAStaleLock) {
  testing::TempDir dir;
  const std::string study = dir.file("study.h5");
  const std::string stale =
      "host=" + host_name() + "\npid=" + std::to_string(dead_pid()) + "\njob=\nstarted=1\n";
  constexpr int kJobs = 4;
  constexpr int kRounds = 150;
  for (int round = 0; round < kRounds; ++round) {
    std::ofstream(study + ".lock") << stale;
    int go[2], results[2], release[2];
    ASSERT_EQ(pipe(go), 0);
    ASSERT_EQ(pipe(results), 0);
    ASSERT_EQ(pipe(release), 0);
    std::vector<pid_t> jobs;
    for (int j = 0; j < kJobs; ++j) {
      const pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        close(go[1]);
        close(results[0]);
        close(release[1]);
        char c;
        (void)!read(go[0], &c, 1);  // EOF when the parent says go: every job at once
        char verdict = 'x';
        try {
          StudyLock lock(study);
          verdict = lock.recovered() ? 'W' : 'w';
          (void)!write(results[1], &verdict, 1);
          (void)!read(release[0], &c, 1);  // hold the lock until every job has tried
        } catch (const ConfigError&) {
          verdict = 'L';
          (void)!write(results[1], &verdict, 1);
        } catch (...) {
          (void)!write(results[1], &verdict, 1);
        }
        _exit(0);
      }
      jobs.push_back(pid);
    }
    close(go[0]);
    close(results[1]);
    close(release[0]);
    close(go[1]);
    std::string verdicts;
    char c;
    while (verdicts.size() < kJobs && read(results[0], &c, 1) == 1) verdicts += c;
    close(release[1]);
    close(results[0]);
    for (const pid_t pid : jobs) {
      int status = 0;
      waitpid(pid, &status, 0);
    }
    const auto count = [&verdicts](char v) {
      return std::count(verdicts.begin(), verdicts.end(), v);
    };
    ASSERT_EQ(count('W') + count('w'), 1) << "round " << round << ": " << verdicts;
    ASSERT_EQ(count('L'), kJobs - 1) << "round " << round << ": " << verdicts;
    ASSERT_TRUE(files_in(dir.path()).empty())
        << "round " << round << ": left behind " << files_in(dir.path()).front();
  }
}

// A job killed in the instant between claiming a stale lock and replacing it leaves the
// claim: the next job waits a moment for it, then says which files to remove.
TEST(StudyLock, AnInterruptedTakeOverIsReportedWithItsFiles) {
  testing::TempDir dir;
  const std::string study = dir.file("study.h5");
  const std::string lock = study + ".lock";
  const std::string stale =
      "host=" + host_name() + "\npid=" + std::to_string(dead_pid()) + "\njob=\nstarted=1\n";
  std::ofstream(lock) << stale;
  struct stat st {};
  ASSERT_EQ(::stat(lock.c_str(), &st), 0);
  char name[64];
  std::snprintf(name, sizeof name, ".stale-%llx-%08x", static_cast<unsigned long long>(st.st_ino),
                static_cast<unsigned>(::crc32(0L, reinterpret_cast<const Bytef*>(stale.data()),
                                              static_cast<uInt>(stale.size()))));
  const std::string claim = lock + name;
  ASSERT_EQ(::link(lock.c_str(), claim.c_str()), 0);
  try {
    StudyLock taken(study);
    FAIL();
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(study + ": a job taking over the stale lock " + lock), std::string::npos)
        << message;
    EXPECT_NE(message.find(claim + " is left"), std::string::npos) << message;
  }
  EXPECT_EQ(files_in(dir.path()).size(), 2u) << "nothing else left behind";
}

// A killed rank 0 whose mpirun died too is reparented to PID 1, which in a container may
// leave it a zombie for long: it has ended, and its lock is stale.
TEST(StudyLock, TheLockOfAZombieIsTakenOver) {
  testing::TempDir dir;
  const std::string study = dir.file("study.h5");
  const pid_t child = fork();
  if (child == 0) _exit(0);
  // Not reaped yet: a zombie until waitpid below.
  for (int i = 0; i < 500; ++i) {
    std::ifstream in("/proc/" + std::to_string(child) + "/stat");
    std::string stat;
    std::getline(in, stat);
    if (stat.find(") Z") != std::string::npos) break;
    usleep(2000);
  }
  std::ofstream(study + ".lock") << "host=" << host_name() << "\npid=" << child
                                 << "\njob=\nstarted=1\n";
  bool recovered = false;
  try {
    StudyLock lock(study);
    recovered = lock.recovered();
  } catch (const ConfigError& e) {
    ADD_FAILURE() << e.what();
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(recovered);
}

// A job killed between creating its lock and writing it leaves an empty file: once it is a
// few seconds old it is stale.
TEST(StudyLock, AnOldEmptyLockIsTakenOver) {
  testing::TempDir dir;
  const std::string study = dir.file("study.h5");
  std::ofstream(study + ".lock").flush();
  set_age(study + ".lock", 10);
  {
    StudyLock lock(study);
    EXPECT_TRUE(lock.recovered());
    std::ifstream in(study + ".lock");
    std::string first;
    std::getline(in, first);
    EXPECT_EQ(first, "host=" + host_name());
  }
  EXPECT_TRUE(files_in(dir.path()).empty());
}

TEST(StudyLock, AnUnparsableOldLockIsTakenOver) {
  testing::TempDir dir;
  const std::string study = dir.file("study.h5");
  std::ofstream(study + ".lock") << "\x01\x02 garbage";
  set_age(study + ".lock", 10);
  StudyLock lock(study);
  EXPECT_TRUE(lock.recovered());
}

// ... but a new one may belong to a job that is writing it this instant.
TEST(StudyLock, ANewEmptyLockIsNotTakenOver) {
  testing::TempDir dir;
  const std::string study = dir.file("study.h5");
  std::ofstream(study + ".lock").flush();
  try {
    StudyLock lock(study);
    FAIL();
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(study + ": in use"), std::string::npos) << message;
    EXPECT_NE(message.find("remove " + study + ".lock"), std::string::npos) << message;
  }
  EXPECT_TRUE(std::filesystem::exists(study + ".lock"));
  EXPECT_EQ(std::filesystem::file_size(study + ".lock"), 0u);
  EXPECT_EQ(files_in(dir.path()).size(), 1u) << "nothing else left behind";
}

}  // namespace
}  // namespace rungs
