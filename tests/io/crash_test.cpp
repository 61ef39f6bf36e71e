// Kills crash_writer with SIGKILL at random moments, 30 times, and checks after each kill
// that study.h5 reads back complete with every trial acknowledged so far (and at most the
// one being written). Then h5py opens every file left by a kill.
// Usage: crash_test WRITER DIR PYTHON CHECK_SCRIPT
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "io/study_file.h"
#include "study/errors.h"
#include "study_fixture.h"

namespace {

constexpr int kRounds = 30;

struct Child {
  pid_t pid = -1;
  int output = -1;  ///< read end of the child's stdout
};

Child start_writer(const std::string& writer, const std::string& path) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execl(writer.c_str(), writer.c_str(), path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  return Child{pid, fds[0]};
}

/// Reads from `fd` until a newline (when `until_first_line`) or end of file.
std::string read_output(int fd, bool until_first_line) {
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (until_first_line && text.find('\n') != std::string::npos) break;
  }
  return text;
}

/// The last complete number in the writer's output: the last acknowledged write.
int last_acknowledged(const std::string& output) {
  const std::size_t end = output.rfind('\n');
  if (end == std::string::npos || end == 0) return 0;
  const std::size_t previous = output.rfind('\n', end - 1);
  const std::size_t begin = previous == std::string::npos ? 0 : previous + 1;
  return std::stoi(output.substr(begin, end - begin));
}

/// "" when `path` holds trials 0..n-1 with n in {acknowledged, acknowledged + 1}.
std::string check_file(const std::string& path, int acknowledged) {
  rungs::StoredStudy stored;
  try {
    stored = rungs::read_study_file(path);
  } catch (const rungs::Error& error) {
    return error.what();
  }
  const int n = static_cast<int>(stored.trials.size());
  if (n != acknowledged && n != acknowledged + 1) {
    return path + " has " + std::to_string(n) + " trials; " + std::to_string(acknowledged) +
           " writes were acknowledged";
  }
  for (int id = 0; id < n; ++id) {
    const std::string diff = rungs::testing::difference(
        rungs::testing::stored_form(rungs::testing::sample_trial(id)), stored.trials[id]);
    if (!diff.empty()) return path + ": " + diff;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s WRITER DIR PYTHON CHECK_SCRIPT\n", argv[0]);
    return 2;
  }
  const std::string writer = argv[1], dir = argv[2], python = argv[3], script = argv[4];
  try {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string path = dir + "/study.h5";
    const unsigned seed = std::random_device{}();
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> delay_us(0, 60000);
    int mid_write = 0;
    std::string copies;
    for (int round = 0; round < kRounds; ++round) {
      const Child child = start_writer(writer, path);
      // Once the first write is acknowledged the file exists.
      std::string output = read_output(child.output, true);
      std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
      ::kill(child.pid, SIGKILL);
      int status = 0;
      ::waitpid(child.pid, &status, 0);
      if (std::filesystem::exists(path + ".tmp")) ++mid_write;
      // Whatever the writer acknowledged is still in the pipe after its death.
      output += read_output(child.output, false);
      ::close(child.output);
      if (!WIFSIGNALED(status)) {
        std::fprintf(stderr, "round %d: the writer exited on its own (status %d)\n", round, status);
        return 1;
      }
      const std::string problem = check_file(path, last_acknowledged(output));
      if (!problem.empty()) {
        std::fprintf(stderr, "round %d (seed %u): %s\n", round, seed, problem.c_str());
        return 1;
      }
      const std::string copy = dir + "/round_" + std::to_string(round) + ".h5";
      std::filesystem::copy_file(path, copy);
      copies += " '" + copy + "'";
    }
    std::printf("%d kills (seed %u), %d with a temporary file being written; every file read\n",
                kRounds, seed, mid_write);
    const std::string command = "'" + python + "' '" + script + "' --open-only" + copies;
    const int result = std::system(command.c_str());
    if (result != 0) {
      std::fprintf(stderr, "h5py could not read every file: %s\n", command.c_str());
      return 1;
    }
    std::filesystem::remove_all(dir);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
  }
  return 0;
}
