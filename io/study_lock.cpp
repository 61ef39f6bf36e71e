#include "io/study_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "io/fd.h"
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

/// A lock file that names no owner (left by a job killed between creating and writing it,
/// as rungs could before locks were put in place whole) is stale once this old (by mtime).
constexpr int kUnparsableStaleSeconds = 5;
/// How long a job waits for another one that is taking over the same stale lock.
constexpr auto kTakeOverWait = std::chrono::seconds(2);

/// The lock file as one job saw it: which file (device and inode) and what it said.
struct Seen {
  dev_t device = 0;
  ino_t inode = 0;
  std::time_t mtime = 0;
  std::string content;
};

/// The file at `path` now, or nothing when there is none.
std::optional<Seen> look(const std::string& path) {
  const Fd fd = Fd::try_open(path, O_RDONLY | O_CLOEXEC);
  if (!fd.valid()) {
    if (errno == ENOENT) return std::nullopt;
    Fd::fail(path, "open", errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) Fd::fail(path, "fstat", errno);
  return Seen{st.st_dev, st.st_ino, st.st_mtime, read_all(fd)};
}

bool same_file(const Seen& a, const Seen& b) {
  return a.device == b.device && a.inode == b.inode && a.content == b.content;
}

/// Unlinks a file of ours when the scope ends, whatever happened.
class RemoveOnExit {
 public:
  explicit RemoveOnExit(std::string path) : path_(std::move(path)) {}
  ~RemoveOnExit() { (void)::unlink(path_.c_str()); }
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;

 private:
  std::string path_;
};

std::string random_token() {
  std::random_device random;
  const std::uint64_t token = static_cast<std::uint64_t>(random()) << 32 | random();
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(token));
  return text;
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

/// Whether process `pid` of this host has ended: gone, or a zombie that nobody has reaped
/// yet (a rank whose mpirun was killed is reparented to PID 1, which in containers often
/// reaps late or never; kill(pid, 0) succeeds on it all the same).
bool process_ended(long pid) {
  if (kill(static_cast<pid_t>(pid), 0) != 0) return errno == ESRCH;
  const Fd fd = Fd::try_open("/proc/" + std::to_string(pid) + "/stat", O_RDONLY | O_CLOEXEC);
  if (!fd.valid()) return false;  // no /proc: as alive as kill() says
  std::string stat;
  try {
    stat = read_all(fd);
  } catch (const IoError&) {
    return kill(static_cast<pid_t>(pid), 0) != 0;  // it went in between
  }
  const auto paren = stat.rfind(')');  // the command name may hold spaces and parentheses
  return paren != std::string::npos && paren + 2 < stat.size() &&
         (stat[paren + 2] == 'Z' || stat[paren + 2] == 'X');
}

bool stale(const LockOwner& owner, const Seen& seen) {
  if (owner.host.empty() && owner.pid == 0 && owner.job.empty()) {
    return std::time(nullptr) - seen.mtime > kUnparsableStaleSeconds;
  }
  const std::string job = own_job();
  // A requeued job starts again under the same id: its earlier run is over.
  if (!owner.job.empty() && owner.job == job) return true;
  if (owner.host == host_name() && owner.pid > 0) {
    if (process_ended(owner.pid)) return true;
    if (owner.job.empty()) return false;
  }
  if (!owner.job.empty()) return !slurm_job_alive(owner.job);
  return false;
}

/// Replaces the lock file `path` as judged stale (`stale_lock`) with the lock written at
/// `mine`; false when the lock changed in between and should be looked at again.
bool take_over(const std::string& path, const std::string& study_file, const Seen& stale_lock,
               const std::string& mine) {
  // Every job that judged this very file stale claims it under one name made from its
  // identity; link() lets only one of them have the name. Renaming by path alone would let a
  // second job remove the lock the first had just put in its place.
  const auto sum = ::crc32(0L, reinterpret_cast<const Bytef*>(stale_lock.content.data()),
                           static_cast<uInt>(stale_lock.content.size()));
  char name[64];
  std::snprintf(name, sizeof name, ".stale-%llx-%08x",
                static_cast<unsigned long long>(stale_lock.inode), static_cast<unsigned>(sum));
  const std::string claim = path + name;
  if (::link(path.c_str(), claim.c_str()) != 0) {
    if (errno == ENOENT) return false;  // gone: try to create it again
    if (errno != EEXIST) Fd::fail(claim, "link from " + path, errno);
    // Another job is replacing it this instant: wait until it has, then judge its lock.
    const auto until = std::chrono::steady_clock::now() + kTakeOverWait;
    while (std::chrono::steady_clock::now() < until) {
      const std::optional<Seen> now = look(path);
      if (!now || !same_file(*now, stale_lock)) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw ConfigError(study_file + ": a job taking over the stale lock " + path +
                      " was stopped half way (" + claim +
                      " is left); if no job runs on this study, remove both files");
  }
  const RemoveOnExit remove_claim(claim);
  // The claim names what was at path when we linked it: the lock we judged, or a newer one
  // that another job put there after replacing it.
  const std::optional<Seen> claimed = look(claim);
  if (!claimed || !same_file(*claimed, stale_lock)) return false;
  // Only the holder of this claim replaces this lock, so it is still the one we judged.
  if (::rename(mine.c_str(), path.c_str()) != 0) Fd::fail(mine, "rename to " + path, errno);
  return true;
}

/// Throws ConfigError unless the lock file `path` holds `content`.
void verify_taken(const std::string& path, const std::string& study_file,
                  const std::string& content) {
  const std::optional<Seen> now = look(path);
  if (!now || now->content != content) {
    throw ConfigError(study_file + ": another job took the lock " + path + " at the same moment");
  }
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
  const std::string token = random_token();
  std::ostringstream content;
  content << "host=" << host_name() << "\npid=" << getpid() << "\njob=" << own_job()
          << "\nstarted=" << std::time(nullptr) << "\ntoken=" << token << "\n";
  content_ = content.str();

  // The lock is written whole to a file of our own first and then put in place in one step
  // (link(): fails when a lock exists; rename(): replaces a stale one), so that a lock file
  // is never seen empty or half written.
  const std::string mine = path_ + "." + token + ".tmp";
  const RemoveOnExit remove_mine(mine);
  {
    Fd fd = Fd::open(mine, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    write_all(fd, content_.data(), content_.size());
    fd.fsync();
    fd.close();
  }
  for (int attempt = 0; attempt < 10; ++attempt) {
    if (::link(mine.c_str(), path_.c_str()) == 0) {
      verify_taken(path_, study_file, content_);
      return;
    }
    if (errno != EEXIST) Fd::fail(path_, "link from " + mine, errno);
    const std::optional<Seen> seen = look(path_);
    if (!seen) continue;  // released a moment ago
    const LockOwner owner = parse_lock(seen->content);
    if (!stale(owner, *seen)) {
      std::string who = "pid " + std::to_string(owner.pid) + " on " + owner.host;
      if (!owner.job.empty()) who = "Slurm job " + owner.job + " (" + who + ")";
      if (owner.host.empty() && owner.pid == 0 && owner.job.empty()) {
        who = "a job that is starting (the lock file names no owner yet; it counts as stale "
              "once it is " + std::to_string(kUnparsableStaleSeconds) + " s old)";
      }
      throw ConfigError(study_file + ": in use by " + who +
                        "; one job per study. If that job is gone, remove " + path_);
    }
    if (take_over(path_, study_file, *seen, mine)) {
      recovered_ = true;
      verify_taken(path_, study_file, content_);
      return;
    }
  }
  throw ConfigError(study_file + ": another job took the lock " + path_ + " at the same moment");
}

StudyLock::~StudyLock() {
  // Remove the lock only if it is still ours.
  try {
    const std::optional<Seen> now = look(path_);
    if (now && now->content == content_) ::unlink(path_.c_str());
  } catch (const Error&) {
    // Unreadable now: leave it; the next job judges it stale.
  }
}

}  // namespace rungs
