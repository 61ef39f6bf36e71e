#include "command/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "study/errors.h"

extern char** environ;

namespace rungs {
namespace {

bool dropped(const std::string& entry, const LaunchSpec& spec) {
  const std::string name = entry.substr(0, entry.find('='));
  for (const auto& prefix : spec.drop_prefixes) {
    if (name.compare(0, prefix.size(), prefix) == 0) return true;
  }
  for (const auto& d : spec.drop) {
    if (name == d) return true;
  }
  for (const auto& [key, value] : spec.set) {
    if (name == key) return true;
  }
  return false;
}

/// In the child between fork and exec: only async-signal-safe calls. Writes errno to
/// `report` and exits when a step fails.
[[noreturn]] void child_fail(int report) {
  const int error = errno;
  (void)!::write(report, &error, sizeof error);
  ::_exit(127);
}

}  // namespace

ChildProcess::ChildProcess(const LaunchSpec& spec) {
  if (spec.argv.empty()) throw Error("no program to run");
  // Everything the child needs is prepared before fork: it only calls async-signal-safe
  // functions until exec.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!dropped(*e, spec)) env_strings.emplace_back(*e);
  }
  for (const auto& [key, value] : spec.set) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp, argv;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // PATH lookup in the parent, with the child's PATH (execvpe is not async-signal-safe).
  std::string program = args[0];
  if (program.find('/') == std::string::npos) {
    std::string path = "/usr/local/bin:/usr/bin:/bin";
    for (const auto& s : env_strings) {
      if (s.compare(0, 5, "PATH=") == 0) path = s.substr(5);
    }
    std::size_t begin = 0;
    for (;;) {
      const std::size_t end = path.find(':', begin);
      const std::string dir = path.substr(begin, end == std::string::npos ? end : end - begin);
      const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
      if (::access(candidate.c_str(), X_OK) == 0) {
        program = candidate;
        break;
      }
      if (end == std::string::npos) break;
      begin = end + 1;
    }
  }

  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) throw Error(std::string("pipe: ") + std::strerror(errno));
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    const int error = errno;
    ::close(report[0]);
    ::close(report[1]);
    throw Error("cannot start " + args[0] + ": fork: " + std::strerror(error));
  }
  if (pid_ == 0) {
    ::close(report[0]);
    if (::setsid() < 0) child_fail(report[1]);
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(report[1]);
    if (::getppid() != parent) ::_exit(127);  // the worker died before the prctl
    // The worker's signal mask and handlers are not the program's.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGPIPE, SIGCHLD}) ::signal(s, SIG_DFL);
    if (::chdir(spec.working_dir.c_str()) != 0) child_fail(report[1]);
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(spec.stdout_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int err = ::open(spec.stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0 || err < 0) child_fail(report[1]);
    if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) child_fail(report[1]);
    if (spec.channel_fd >= 0 && ::dup2(spec.channel_fd, 3) < 0) child_fail(report[1]);
    // Every other descriptor of the worker (MPI's sockets, study files) stays behind.
    for (int fd = 4; fd < 1024; ++fd) {
      if (fd != report[1]) ::close(fd);
    }
    ::execve(program.c_str(), argv.data(), envp.data());
    child_fail(report[1]);
  }
  ::close(report[1]);
  int error = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &error, sizeof error);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n > 0) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    throw Error("cannot start " + args[0] + " (in " + spec.working_dir + "): " +
                std::strerror(error));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0 || status_) return;
  signal_group(SIGKILL);  // the program's own children too
  {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

void ChildProcess::signal_group(int signal) noexcept {
  if (pid_ > 0) (void)::kill(-pid_, signal);
}

std::optional<int> ChildProcess::poll() {
  if (status_ || pid_ <= 0) return status_;
  int status = 0;
  const pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    status_ = status;
    // Processes the program started and left behind go with it (its group outlives it).
    (void)::kill(-pid_, SIGKILL);
  }
  return status_;
}

std::string ChildProcess::describe(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    return std::string("killed by SIG") + (name ? name : std::to_string(WTERMSIG(status)).c_str());
  }
  return "wait status " + std::to_string(status);
}

}  // namespace rungs
