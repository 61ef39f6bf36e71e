#include "io/study_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "study/errors.h"

namespace rungs {

namespace {

std::string host_name() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string own_job() {
  const char* job = std::getenv("SLURM_JOB_ID");
  return job ? job : "";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// Whether Slurm says `job` is still alive; true when Slurm cannot be asked (then only the
/// user can tell, and we must not steal the lock).
bool slurm_job_alive(const std::string& job) {
  if (std::system("command -v scontrol >/dev/null 2>&1") != 0) return true;
  const std::string cmd = "scontrol show job " + job + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return true;
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  if (out.find("Invalid job id") != std::string::npos) return false;  // long gone
  if (out.find("JobState=") == std::string::npos) return true;       // cannot tell
  for (const char* state : {"JobState=RUNNING", "JobState=COMPLETING", "JobState=SUSPENDED",
                            "JobState=CONFIGURING", "JobState=STOPPED"}) {
    if (out.find(state) != std::string::npos) return true;
  }
  return false;
}

bool stale(const LockOwner& owner) {
  const std::string job = own_job();
  // A requeued job starts again under the same id: its earlier run is over.
  if (!owner.job.empty() && owner.job == job) return true;
  if (owner.host == host_name() && owner.pid > 0) {
    if (kill(static_cast<pid_t>(owner.pid), 0) != 0 && errno == ESRCH) return true;
    if (owner.job.empty()) return false;
  }
  if (!owner.job.empty()) return !slurm_job_alive(owner.job);
  return false;
}

}  // namespace

LockOwner parse_lock(const std::string& text) {
  LockOwner o;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "host") o.host = value;
    else if (key == "pid") o.pid = std::atol(value.c_str());
    else if (key == "job") o.job = value;
    else if (key == "started") o.started = value;
  }
  return o;
}

StudyLock::StudyLock(const std::string& study_file) : path_(study_file + ".lock") {
  std::ostringstream content;
  content << "host=" << host_name() << "\npid=" << getpid() << "\njob=" << own_job()
          << "\nstarted=" << std::time(nullptr) << "\n";
  content_ = content.str();

  for (int attempt = 0; attempt < 2; ++attempt) {
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd >= 0) {
      const bool ok = ::write(fd, content_.data(), content_.size()) ==
                          static_cast<ssize_t>(content_.size()) && ::fsync(fd) == 0;
      ::close(fd);
      if (!ok) {
        ::unlink(path_.c_str());
        throw IoError(path_ + ": cannot write the lock file (" + std::strerror(errno) + ")");
      }
      return;
    }
    if (errno != EEXIST) {
      throw IoError(path_ + ": cannot create the lock file (" + std::strerror(errno) + ")");
    }
    const LockOwner owner = parse_lock(read_file(path_));
    if (attempt == 0 && stale(owner)) {
      ::unlink(path_.c_str());
      recovered_ = true;
      continue;
    }
    std::string who = "pid " + std::to_string(owner.pid) + " on " + owner.host;
    if (!owner.job.empty()) who = "Slurm job " + owner.job + " (" + who + ")";
    throw ConfigError(study_file + ": in use by " + who +
                      "; one job per study. If that job is gone, remove " + path_);
  }
  throw ConfigError(study_file + ": another job took the lock " + path_ + " at the same moment");
}

StudyLock::~StudyLock() {
  // Remove the lock only if it is still ours.
  if (read_file(path_) == content_) ::unlink(path_.c_str());
}

}  // namespace rungs
