#pragma once
/// A child process of a worker rank: the user's program for one trial. It runs in a session
/// and process group of its own (so that a signal to the group reaches every process it
/// started), dies with the worker (PR_SET_PDEATHSIG), has its stdout and stderr in files
/// (never an undrained pipe), and gets one end of a socket pair as file descriptor 3. The
/// destructor kills whatever is left of the group and reaps the child: no orphan outlives
/// its trial. Used from one thread.
#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rungs {

struct LaunchSpec {
  std::vector<std::string> argv;  ///< argv[0] is looked up on PATH
  std::string working_dir;
  std::string stdout_file, stderr_file;  ///< appended to
  /// The environment: the worker's own, less every variable starting with one of
  /// `drop_prefixes` or named in `drop`, plus `set` (which wins).
  std::vector<std::string> drop_prefixes, drop;
  std::vector<std::pair<std::string, std::string>> set;
  int channel_fd = -1;  ///< becomes the child's fd 3; -1: none
};

class ChildProcess {
 public:
  /// Starts the program; throws Error naming it when it cannot be started (not found, not
  /// executable, the working folder missing: the exec's own errno).
  explicit ChildProcess(const LaunchSpec& spec);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// Sends `signal` to the child's process group (every process it started that stayed in
  /// it). No effect once the group is gone.
  void signal_group(int signal) noexcept;
  /// The child's wait status once it has exited (reaped; what it left of its group is
  /// killed then); nullopt while it runs.
  std::optional<int> poll();
  /// "exit status 3", "killed by SIGKILL".
  static std::string describe(int wait_status);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace rungs
