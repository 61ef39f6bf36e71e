#include "command/command_runner.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "command/child_process.h"
#include "io/checkpoint_retention.h"
#include "study/checkpoint_path.h"
#include "study/command_line.h"
#include "study/errors.h"

namespace rungs {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

constexpr int kProtocol = 1;
constexpr std::size_t kMaxLine = 1 << 20;  ///< longer lines are garbage, not memory
constexpr double kKillAfter = 5.0;         ///< seconds from TERM to KILL

/// One end of the socket pair, owned; lines in, lines out.
class Channel {
 public:
  explicit Channel(int fd) : fd_(fd) {}
  ~Channel() {
    if (fd_ >= 0) ::close(fd_);
  }
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  /// Waits up to `timeout_ms` for input; appends complete lines to `lines`. False at EOF.
  bool read(int timeout_ms, std::vector<std::string>& lines, int& oversized) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return !eof_;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
      eof_ = true;
      return false;
    }
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        if (skipping_) ++oversized;
        else lines.push_back(std::move(pending_));
        pending_.clear();
        skipping_ = false;
      } else if (!skipping_) {
        pending_ += buf[i];
        if (pending_.size() > kMaxLine) {
          pending_.clear();
          skipping_ = true;
        }
      }
    }
    return true;
  }
  /// Best effort: a program that is gone does not read it anyway.
  void send(const json& message) {
    const std::string line = message.dump() + "\n";
    (void)::send(fd_, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }

 private:
  int fd_;
  std::string pending_;
  bool skipping_ = false;
  bool eof_ = false;
};

/// A metric's number: a JSON number, or the strings "nan", "inf", "-inf" (JSON has none).
std::optional<double> number_of(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "nan" || s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf" || s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-inf" || s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

constexpr std::size_t kMaxMetrics = 256;  ///< per report; more are ignored

/// Every metric of a report's "metrics" object that is a number with a name study.h5 can
/// store, into `result`; what it left out, for the trial's log ("" when nothing).
std::string take_metrics(const json& metrics, EpochResult& result) {
  std::string skipped;
  for (const auto& [name, v] : metrics.items()) {
    const auto number = number_of(v);
    const char* why = !is_valid_metric_name(name)        ? "not a valid metric name"
                      : !number                          ? "not a number"
                      : result.metrics.size() >= kMaxMetrics ? "over the 256 metrics a report may have"
                                                         : nullptr;
    if (why) skipped += (skipped.empty() ? "ignored " : ", ") + name.substr(0, 80) + " (" + why + ")";
    else result.set_metric(name, *number);
  }
  return skipped;
}

/// The last `lines` lines of `file`, joined with " | ", for a failure's reason.
std::string tail_of(const std::string& file, int lines) {
  std::ifstream in(file);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) all.push_back(line);
  }
  std::string out;
  for (std::size_t i = all.size() > static_cast<std::size_t>(lines) ? all.size() - lines : 0;
       i < all.size(); ++i) {
    out += (out.empty() ? "" : " | ") + all[i].substr(0, 300);
  }
  return out;
}

bool names_out_of_memory(const std::string& file) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.find("CUDA out of memory") != std::string::npos ||
        line.find("OutOfMemoryError") != std::string::npos) {
      return true;
    }
  }
  return false;
}

int next_attempt(const fs::path& trial_dir) {
  int attempt = 1;
  while (fs::exists(trial_dir / ("attempt_" + std::to_string(attempt) + ".out"))) ++attempt;
  return attempt;
}

TrialOutcome outcome(TrialOutcome::Kind kind, std::string reason = {}) {
  return TrialOutcome{kind, std::move(reason)};
}

/// The variables of the MPI launcher and of Slurm's task that would make the program (or
/// torch.distributed inside it) believe it is an MPI rank of the worker's job.
const std::vector<std::string> kLauncherPrefixes = {"OMPI_", "PMIX_", "PMI_", "PRTE_", "OPAL_",
                                                    "HYDRA_", "MPI_LOCALRANKID"};
const std::vector<std::string> kLauncherVariables = {
    "SLURM_PROCID", "SLURM_LOCALID", "SLURM_NODEID", "SLURM_NTASKS", "SLURM_NPROCS",
    "SLURM_STEP_ID", "SLURM_STEPID", "SLURM_TASK_PID", "SLURM_STEP_NUM_TASKS",
    "RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"};

class CommandRunner final : public TrialRunner {
 public:
  explicit CommandRunner(CommandSettings settings) : s_(std::move(settings)) {}

  TrialOutcome run(const TrialAssignment& trial, const EpochCallback& on_epoch,
                   const InterruptCheck& should_stop) override;

  TestResult evaluate_test(const TrialAssignment& trial) override {
    throw TrialError("trial " + std::to_string(trial.trial_id) +
                     " runs the study's own program, which has no held-out test in rungs");
  }

 private:
  CommandSettings s_;
};

TrialOutcome CommandRunner::run(const TrialAssignment& trial, const EpochCallback& on_epoch,
                                const InterruptCheck& should_stop) {
  const ObjectiveConfig& o = s_.objective;
  const fs::path trial_dir = fs::absolute(fs::path(s_.output_dir) / "trials" /
                                          std::to_string(trial.trial_id));
  std::error_code ec;
  fs::create_directories(trial_dir, ec);
  if (ec) throw StorageError(trial_dir.string() + ": cannot create it: " + ec.message());
  const std::string stem = fs::absolute(trial.checkpoint).string();
  const std::string params_json = (trial_dir / "params.json").string();
  {
    std::ofstream out(params_json, std::ios::trunc);
    out << params_to_json(trial.params) << "\n";
    if (!out) throw StorageError(params_json + ": cannot write it");
  }
  std::string resume_from;
  if (trial.start_epoch > 0) {
    resume_from = checkpoint_folder(stem, trial.start_epoch);
    if (!fs::is_directory(resume_from)) {
      return outcome(TrialOutcome::Kind::Failed,
                     "cannot resume at epoch " + std::to_string(trial.start_epoch) + ": " +
                         resume_from + " does not exist");
    }
  }

  CommandContext context;
  context.params = trial.params;
  context.trial_id = trial.trial_id;
  context.trial_dir = trial_dir.string();
  context.checkpoint_dir = fs::path(stem).parent_path().string();
  context.params_json = params_json;
  context.epochs = s_.max_epochs;
  context.seed = trial.seed;
  context.study_dir = s_.study_dir;

  const int attempt = next_attempt(trial_dir);
  LaunchSpec spec;
  spec.argv = expand_command(o.command, context);
  spec.working_dir = trial_dir.string();
  spec.stdout_file = (trial_dir / ("attempt_" + std::to_string(attempt) + ".out")).string();
  spec.stderr_file = (trial_dir / ("attempt_" + std::to_string(attempt) + ".err")).string();
  spec.drop_prefixes = kLauncherPrefixes;
  spec.drop = kLauncherVariables;
  const std::string threads = std::to_string(std::max(1, s_.threads));
  const char* python_path = std::getenv("PYTHONPATH");
  spec.set = {{"RUNGS_TRIAL_FD", "3"},
              {"RUNGS_PROTOCOL", std::to_string(kProtocol)},
              {"RUNGS_TRIAL_ID", std::to_string(trial.trial_id)},
              {"RUNGS_TRIAL_DIR", trial_dir.string()},
              {"RUNGS_PARAMS_JSON", params_json},
              {"RUNGS_CHECKPOINT_STEM", stem},
              {"RUNGS_START_EPOCH", std::to_string(trial.start_epoch)},
              {"RUNGS_END_EPOCH", std::to_string(trial.end_epoch)},
              {"RUNGS_MAX_EPOCHS", std::to_string(s_.max_epochs)},
              {"RUNGS_RESUME_FROM", resume_from},
              {"RUNGS_SEED", std::to_string(trial.seed)},
              {"RUNGS_METRIC", o.metric},
              {"PYTHONUNBUFFERED", "1"},
              {"OMP_NUM_THREADS", threads},
              {"MKL_NUM_THREADS", threads},
              {"OPENBLAS_NUM_THREADS", threads},
              {"PYTHONPATH", s_.client_dir + (python_path && *python_path
                                                  ? std::string(":") + python_path
                                                  : std::string())}};

  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    throw Error(std::string("socketpair: ") + std::strerror(errno));
  }
  Channel channel(pair[0]);
  spec.channel_fd = pair[1];
  std::unique_ptr<ChildProcess> child;
  try {
    child = std::make_unique<ChildProcess>(spec);
  } catch (const Error& e) {
    ::close(pair[1]);
    return outcome(TrialOutcome::Kind::Failed, e.what());
  }
  ::close(pair[1]);

  const auto seconds = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  const auto started = Clock::now();
  auto last_report = started;
  std::optional<Clock::time_point> stop_deadline, kill_deadline;
  std::string last_decision;     // what rungs told the program last
  bool interrupted = false;      // rungs asked it to stop for a preemption
  int epochs = trial.start_epoch;
  int garbage = 0, oversized = 0;
  std::optional<TrialOutcome> failure;  // decided by rungs: the program is being ended
  std::ofstream log(trial_dir / "rungs.log", std::ios::app);
  log << "attempt " << attempt << ": epochs " << trial.start_epoch << " to " << trial.end_epoch
      << ": " << spec.argv[0] << std::endl;

  const auto end_program = [&](std::optional<TrialOutcome> why) {
    if (why && !failure) failure = std::move(why);
    if (!stop_deadline) stop_deadline = Clock::now() + seconds(o.timeouts.stop);
  };

  for (bool open = true;;) {
    std::vector<std::string> lines;
    if (open) {
      open = channel.read(100, lines, oversized);
    } else {
      ::usleep(20000);
    }
    for (const std::string& line : lines) {
      json message;
      try {
        message = json::parse(line);
      } catch (const json::exception&) {
        ++garbage;
        log << "attempt " << attempt << ": not JSON, ignored: " << line.substr(0, 200) << std::endl;
        continue;
      }
      if (!message.is_object() || message.value("type", "") != "report") {
        if (!message.is_object() || message.value("type", "") != "hello") {
          ++garbage;
          log << "attempt " << attempt << ": not a report, ignored: " << line.substr(0, 200)
              << std::endl;
        }
        continue;
      }
      // Told to stop, or failed: later reports change nothing. After an interrupt the
      // epoch it was finishing is still recorded (and answered with "pause").
      if (failure || last_decision == "stop" || last_decision == "pause") continue;
      const int epoch = message.value("epoch", -1);
      const json metrics = message.value("metrics", json::object());
      if (epoch != epochs + 1) {
        end_program(outcome(TrialOutcome::Kind::Failed,
                            "reported epoch " + std::to_string(epoch) + ", expected " +
                                std::to_string(epochs + 1) + " (epochs count from 1)"));
        continue;
      }
      const auto value = metrics.is_object() && metrics.contains(o.metric)
                             ? number_of(metrics[o.metric])
                             : std::nullopt;
      if (!value) {
        std::string names;
        if (metrics.is_object()) {
          for (const auto& [k, v] : metrics.items()) names += (names.empty() ? "" : ", ") + k;
        }
        end_program(outcome(TrialOutcome::Kind::Failed,
                            "its report of epoch " + std::to_string(epoch) + " has no " +
                                o.metric + " (it has " + (names.empty() ? "none" : names) + ")"));
        continue;
      }
      if (!std::isfinite(*value)) {
        end_program(outcome(TrialOutcome::Kind::Failed,
                            o.metric + " became " + (std::isnan(*value) ? "nan" : "inf") +
                                " at epoch " + std::to_string(epoch)));
        continue;
      }
      const auto now = Clock::now();
      EpochResult result;
      result.epoch = epoch;
      result.value = *value;
      const std::string skipped = take_metrics(metrics, result);
      if (!skipped.empty()) log << "attempt " << attempt << ": epoch " << epoch << ": " << skipped << std::endl;
      result.seconds = std::chrono::duration<double>(now - last_report).count();
      result.checkpointed = message.value("checkpoint", false) &&
                            fs::is_directory(checkpoint_folder(stem, epoch));
      last_report = now;
      epochs = epoch;
      const Verdict verdict = on_epoch(result);  // rank 0's answer; its errors propagate
      if (result.checkpointed) remove_old_checkpoints(stem, epoch, trial.start_epoch);
      std::string decision = verdict == Verdict::Continue ? "continue"
                             : verdict == Verdict::Stop   ? "stop"
                                                          : "pause";
      if (epoch >= trial.end_epoch) decision = trial.end_epoch < s_.max_epochs ? "pause" : "stop";
      if (interrupted) decision = "pause";
      channel.send({{"v", kProtocol}, {"type", "decision"}, {"epoch", epoch}, {"decision", decision}});
      last_decision = decision;
      if (decision != "continue") end_program(std::nullopt);
    }

    if (const auto status = child->poll()) {
      if (garbage + oversized > 0) {
        std::cerr << "rungs: trial " << trial.trial_id << ": " << garbage + oversized
                  << " lines from the program were not reports (see " << (trial_dir / "rungs.log").string()
                  << ")" << std::endl;
      }
      const std::string how = ChildProcess::describe(*status);
      log << "attempt " << attempt << ": ended with " << how << " after epoch " << epochs << std::endl;
      if (failure) return *failure;
      if (interrupted) return outcome(TrialOutcome::Kind::Interrupted);
      if (WIFEXITED(*status) && WEXITSTATUS(*status) == 75) {
        return outcome(TrialOutcome::Kind::Interrupted);  // "run me again", as rungs says it
      }
      // Told to stop or pause, its results are in whether it exited or had to be ended.
      if (last_decision == "stop") return outcome(TrialOutcome::Kind::Stopped);
      if (last_decision == "pause") return outcome(TrialOutcome::Kind::Paused);
      const bool clean = WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
      if (clean && epochs >= trial.end_epoch) return outcome(TrialOutcome::Kind::Finished);
      std::string reason = clean ? "exited with status 0 after epoch " + std::to_string(epochs) +
                                       " of " + std::to_string(trial.end_epoch) +
                                       " without being told to stop"
                                 : how + " after epoch " + std::to_string(epochs);
      if (names_out_of_memory(spec.stderr_file)) reason = "CUDA out of memory: " + reason;
      const std::string tail = tail_of(spec.stderr_file, 3);
      if (!tail.empty()) reason += "; stderr: " + tail;
      return outcome(TrialOutcome::Kind::Failed, reason);
    }

    const auto now = Clock::now();
    if (!stop_deadline && !interrupted && should_stop()) {
      interrupted = true;
      channel.send({{"v", kProtocol}, {"type", "interrupt"}});
      end_program(std::nullopt);
    }
    if (!stop_deadline) {
      const bool first = epochs == trial.start_epoch;
      if (first && now - started > seconds(o.timeouts.start)) {
        end_program(outcome(TrialOutcome::Kind::Failed,
                            "no report within " + std::to_string(static_cast<long>(o.timeouts.start)) +
                                " s of its start (objective.timeouts.start)"));
        child->signal_group(SIGTERM);
      } else if (!first && o.timeouts.epoch > 0 && now - last_report > seconds(o.timeouts.epoch)) {
        end_program(outcome(TrialOutcome::Kind::Failed,
                            "no report within " + std::to_string(static_cast<long>(o.timeouts.epoch)) +
                                " s after epoch " + std::to_string(epochs) +
                                " (objective.timeouts.epoch)"));
        child->signal_group(SIGTERM);
      }
    }
    if (stop_deadline && now > *stop_deadline && !kill_deadline) {
      log << "attempt " << attempt << ": still running " << o.timeouts.stop
          << " s after being told to stop: SIGTERM" << std::endl;
      child->signal_group(SIGTERM);
      kill_deadline = now + seconds(kKillAfter);
    }
    if (kill_deadline && now > *kill_deadline) {
      child->signal_group(SIGKILL);
      kill_deadline = now + seconds(3600);
      log << "attempt " << attempt << ": still running " << kKillAfter
          << " s after SIGTERM: SIGKILL" << std::endl;
    }
  }
}

}  // namespace

std::unique_ptr<TrialRunner> make_command_runner(const CommandSettings& settings) {
  return std::make_unique<CommandRunner>(settings);
}

}  // namespace rungs
