#include "command/program_run.h"

#include <signal.h>
#include <sys/wait.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>

namespace rungs {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxMetrics = 256;  ///< stored per report; more are left out
constexpr double kKillAfter = 5.0;  ///< seconds from TERM to KILL for a program that was told

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

TrialOutcome outcome(TrialOutcome::Kind kind, std::string reason = {}) {
  return TrialOutcome{kind, std::move(reason)};
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

/// The signals that stop a study (mpi_driver/signals.h): from Slurm they reach every process
/// of the job step, the programs the workers started as well as the ranks.
bool is_stop_signal(int sig) {
  return sig == SIGTERM || sig == SIGINT || sig == SIGUSR1 || sig == SIGUSR2;
}

/// Whether a line of `file` says, in any case, that an address was already in use.
bool names_address_in_use(const std::string& file) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    for (char& c : line) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (line.find("address already in use") != std::string::npos) return true;
  }
  return false;
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

class ProgramRun {
 public:
  ProgramRun(ChildProcess& child, ReportSource& source, const RunPlan& plan,
             const ProgramHooks& hooks, std::ostream& log)
      : child_(child), source_(source), plan_(plan), hooks_(hooks), o_(*plan.objective),
        log_(log), epochs_(plan.start_epoch) {}

  ProgramResult run(const EpochCallback& on_epoch, const InterruptCheck& should_stop) {
    for (;;) {
      for (const Report& r : source_.read(100)) take(r, on_epoch);
      if (const auto status = child_.poll()) {
        // What it wrote just before it exited is still to be read.
        for (auto rest = source_.read(0); !rest.empty(); rest = source_.read(0)) {
          for (const Report& r : rest) take(r, on_epoch);
        }
        return result(*status);
      }
      hear_group();
      watch(should_stop);
    }
  }

 private:
  /// One report: checked, recorded by rank 0, answered.
  void take(const Report& report, const EpochCallback& on_epoch) {
    // Told to stop, or failed: later reports change nothing. After an interrupt the epoch
    // it was finishing is still recorded (and answered with "pause").
    if (failure_ || decision_ == "stop" || decision_ == "pause") return;
    const auto now = Clock::now();
    heard_ = now;
    const int epoch = report.epoch;
    if (source_.skips_repeats() && epoch <= epochs_) {
      log_ << plan_.name << ": epoch " << epoch << " again (rungs has "
           << epochs_ << "), ignored" << std::endl;
      return;
    }
    if (epoch != epochs_ + 1) {
      return end_program(outcome(TrialOutcome::Kind::Failed,
                                 "reported epoch " + std::to_string(epoch) + ", expected " +
                                     std::to_string(epochs_ + 1) + " (epochs count from 1)"),
                         false);
    }
    const auto it = report.metrics.find(o_.metric);
    if (it == report.metrics.end() || !it->second) {
      std::string names;
      for (const auto& [name, value] : report.metrics) names += (names.empty() ? "" : ", ") + name;
      const std::string what = it == report.metrics.end()
                                   ? "has no " + o_.metric + " (it has " + (names.empty() ? "none" : names) + ")"
                                   : "has a " + o_.metric + " that is not a number";
      return end_program(outcome(TrialOutcome::Kind::Failed,
                                 "its report of epoch " + std::to_string(epoch) + " " + what),
                         false);
    }
    const double value = *it->second;
    if (!std::isfinite(value)) {
      return end_program(outcome(TrialOutcome::Kind::Failed,
                                 o_.metric + " became " + (std::isnan(value) ? "nan" : "inf") +
                                     " at epoch " + std::to_string(epoch)),
                         false);
    }
    EpochResult result;
    result.epoch = epoch;
    result.value = value;
    const std::string skipped = store_metrics(report.metrics, result);
    if (!skipped.empty()) {
      log_ << plan_.name << ": epoch " << epoch << ": " << skipped << std::endl;
    }
    result.seconds = std::chrono::duration<double>(now - last_report_).count();
    result.checkpointed = report.checkpointed;
    last_report_ = now;
    epochs_ = epoch;
    const Verdict verdict = on_epoch(result);  // rank 0's answer; its errors propagate
    source_.recorded(report);
    std::string decision = verdict == Verdict::Continue ? "continue"
                           : verdict == Verdict::Stop   ? "stop"
                                                        : "pause";
    const bool last = epoch >= plan_.end_epoch;
    if (last) decision = plan_.end_epoch < plan_.max_epochs ? "pause" : "stop";
    if (interrupted_) decision = "pause";
    source_.answer(epoch, decision);
    if (hooks_.decided) hooks_.decided(epoch, decision);
    decision_ = decision;
    if (decision != "continue") end_program(std::nullopt, source_.listens() || (last && plan_.ends_itself));
  }

  /// Ends the program, keeping the first failure. `told`: it was told to (or knows it must)
  /// end, so it has timeouts.stop seconds to exit; else TERM now, KILL after timeouts.stop
  /// (also when it was already given time to exit: its group cannot wait).
  void end_program(const std::optional<TrialOutcome>& why, bool told) {
    if (why && !failure_) failure_ = why;
    if (ending_ && (told || termed_)) return;
    ending_ = true;
    if (told) {
      term_at_ = Clock::now() + seconds(o_.timeouts.stop);
    } else {
      signal(SIGTERM);
      term_at_.reset();
      kill_at_ = Clock::now() + seconds(o_.timeouts.stop);
    }
  }

  /// Sends `sig` to the program's process group, remembering that rungs did.
  void signal(int sig) {
    signalled_ = true;
    if (sig == SIGTERM) termed_ = true;
    child_.signal_group(sig);
  }

  /// The group's part (ProgramHooks::end): once it answers, the program is ended its way.
  void hear_group() {
    if (ended_by_hooks_ || !hooks_.end) return;
    const auto end = hooks_.end();
    if (!end) return;
    ended_by_hooks_ = true;
    if (end->now && !termed_) log_ << plan_.name << ": ended by its group: SIGTERM" << std::endl;
    end_program(end->outcome, !end->now);
  }

  /// The clock's part: preemption, the report timeouts, TERM and KILL when they are due.
  void watch(const InterruptCheck& should_stop) {
    const auto now = Clock::now();
    if (!ending_ && !interrupted_ && should_stop()) {
      interrupted_ = true;
      source_.interrupt();
      end_program(std::nullopt, source_.listens());
    }
    if (!ending_) {
      const bool first = !heard_;
      if (first && now - started_ > seconds(o_.timeouts.start)) {
        end_program(outcome(TrialOutcome::Kind::Failed,
                            "no report within " + std::to_string(static_cast<long>(o_.timeouts.start)) +
                                " s of its start (objective.timeouts.start)"),
                    false);
      } else if (!first && o_.timeouts.epoch > 0 && now - *heard_ > seconds(o_.timeouts.epoch)) {
        end_program(outcome(TrialOutcome::Kind::Failed,
                            "no report within " + std::to_string(static_cast<long>(o_.timeouts.epoch)) +
                                " s after epoch " + std::to_string(epochs_) +
                                " (objective.timeouts.epoch)"),
                    false);
      }
    }
    if (term_at_ && now > *term_at_) {
      log_ << plan_.name << ": still running " << o_.timeouts.stop
           << " s after being told to stop: SIGTERM" << std::endl;
      signal(SIGTERM);
      term_at_.reset();
      kill_at_ = now + seconds(kKillAfter);
    }
    if (kill_at_ && now > *kill_at_) {
      signal(SIGKILL);
      kill_at_.reset();
      log_ << plan_.name << ": still running after SIGTERM: SIGKILL" << std::endl;
    }
  }

  /// What the run came to, once the program has exited with wait status `status`.
  ProgramResult result(int status) {
    ProgramResult r;
    r.outcome = ended(status);
    r.reports = epochs_ - plan_.start_epoch;
    r.ended_by_hooks = ended_by_hooks_;
    r.killed_unasked = WIFSIGNALED(status) && !signalled_;
    r.address_in_use = r.outcome.kind == TrialOutcome::Kind::Failed && r.reports == 0 &&
                       names_address_in_use(plan_.stderr_file);
    r.ended_ms = unix_ms();
    return r;
  }

  /// The outcome, once the program has exited with wait status `status`.
  TrialOutcome ended(int status) {
    if (source_.ignored() > 0) {
      std::cerr << "rungs: trial " << plan_.trial_id << ": " << source_.ignored()
                << " lines from the program were not reports (see " << plan_.log_file << ")"
                << std::endl;
    }
    const std::string how = ChildProcess::describe(status);
    log_ << plan_.name << ": ended with " << how << " after epoch " << epochs_
         << std::endl;
    if (failure_) return *failure_;
    if (interrupted_) return outcome(TrialOutcome::Kind::Interrupted);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 75) {
      return outcome(TrialOutcome::Kind::Interrupted);  // "run me again", as rungs says it
    }
    if (WIFSIGNALED(status) && !signalled_ && is_stop_signal(WTERMSIG(status))) {
      // A stop signal for the job's ranks that reached the program too (Slurm signals every
      // process of a job step: scancel --signal without --batch, preemption's TERM):
      // run again from its checkpoint, like a program exiting 75.
      return outcome(TrialOutcome::Kind::Interrupted);
    }
    // Told to stop or pause, its results are in whether it exited or had to be ended.
    if (decision_ == "stop") return outcome(TrialOutcome::Kind::Stopped);
    if (decision_ == "pause") return outcome(TrialOutcome::Kind::Paused);
    const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (clean && epochs_ >= plan_.end_epoch) return outcome(TrialOutcome::Kind::Finished);
    std::string reason = clean ? "exited with status 0 after epoch " + std::to_string(epochs_) +
                                     " of " + std::to_string(plan_.end_epoch) +
                                     " without being told to stop"
                               : how + " after epoch " + std::to_string(epochs_);
    if (names_out_of_memory(plan_.stderr_file)) reason = "CUDA out of memory: " + reason;
    const std::string tail = tail_of(plan_.stderr_file, 3);
    if (!tail.empty()) reason += "; stderr: " + tail;
    return outcome(TrialOutcome::Kind::Failed, reason);
  }

  ChildProcess& child_;
  ReportSource& source_;
  const RunPlan& plan_;
  const ProgramHooks& hooks_;
  const ObjectiveConfig& o_;
  std::ostream& log_;
  const Clock::time_point started_ = Clock::now();
  Clock::time_point last_report_ = started_;  ///< the last recorded report (epoch seconds)
  std::optional<Clock::time_point> heard_;    ///< the last report of any kind (timeouts)
  std::optional<Clock::time_point> term_at_, kill_at_;
  int epochs_;                       ///< epochs recorded
  std::string decision_;             ///< rungs' last decision
  bool interrupted_ = false;         ///< rungs asked it to end for a preemption
  bool ending_ = false;              ///< being ended: told to, or signalled
  bool termed_ = false;              ///< rungs sent it TERM
  bool signalled_ = false;           ///< rungs sent it a signal (else a kill was not rungs')
  bool ended_by_hooks_ = false;      ///< its group ended it (ProgramHooks::end answered)
  std::optional<TrialOutcome> failure_;  ///< decided by rungs: the program is being ended
};

}  // namespace

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string store_metrics(const Metrics& metrics, EpochResult& result) {
  std::string skipped;
  for (const auto& [name, value] : metrics) {
    const char* why = !is_valid_metric_name(name)                ? "not a valid metric name"
                      : !value                                    ? "not a number"
                      : result.metrics.size() >= kMaxMetrics      ? "past the 256 a report may have"
                                                                  : nullptr;
    if (why) {
      skipped += (skipped.empty() ? "ignored " : ", ") + name.substr(0, 80) + " (" + why + ")";
    } else {
      result.set_metric(name, *value);
    }
  }
  return skipped;
}

ProgramResult supervise(ChildProcess& child, ReportSource& source, const RunPlan& plan,
                        const ProgramHooks& hooks, const EpochCallback& on_epoch,
                        const InterruptCheck& should_stop, std::ostream& log) {
  return ProgramRun(child, source, plan, hooks, log).run(on_epoch, should_stop);
}

}  // namespace rungs
