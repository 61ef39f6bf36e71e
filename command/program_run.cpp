#include "command/program_run.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
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
  ProgramRun(ChildProcess& child, ReportSource& source, const RunPlan& plan, std::ostream& log)
      : child_(child), source_(source), plan_(plan), o_(*plan.objective), log_(log),
        epochs_(plan.start_epoch) {}

  TrialOutcome run(const EpochCallback& on_epoch, const InterruptCheck& should_stop) {
    for (;;) {
      for (const Report& r : source_.read(100)) take(r, on_epoch);
      if (const auto status = child_.poll()) {
        // What it wrote just before it exited is still to be read.
        for (auto rest = source_.read(0); !rest.empty(); rest = source_.read(0)) {
          for (const Report& r : rest) take(r, on_epoch);
        }
        return ended(*status);
      }
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
      log_ << "attempt " << plan_.attempt << ": epoch " << epoch << " again (rungs has "
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
      log_ << "attempt " << plan_.attempt << ": epoch " << epoch << ": " << skipped << std::endl;
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
    decision_ = decision;
    if (decision != "continue") end_program(std::nullopt, source_.listens() || (last && plan_.ends_itself));
  }

  /// Ends the program, keeping the first failure. `told`: it was told to (or knows it must)
  /// end, so it has timeouts.stop seconds to exit; else TERM now, KILL after timeouts.stop.
  void end_program(std::optional<TrialOutcome> why, bool told) {
    if (why && !failure_) failure_ = std::move(why);
    if (ending_) return;
    ending_ = true;
    if (told) {
      term_at_ = Clock::now() + seconds(o_.timeouts.stop);
    } else {
      child_.signal_group(SIGTERM);
      kill_at_ = Clock::now() + seconds(o_.timeouts.stop);
    }
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
      log_ << "attempt " << plan_.attempt << ": still running " << o_.timeouts.stop
           << " s after being told to stop: SIGTERM" << std::endl;
      child_.signal_group(SIGTERM);
      term_at_.reset();
      kill_at_ = now + seconds(kKillAfter);
    }
    if (kill_at_ && now > *kill_at_) {
      child_.signal_group(SIGKILL);
      kill_at_.reset();
      log_ << "attempt " << plan_.attempt << ": still running after SIGTERM: SIGKILL" << std::endl;
    }
  }

  /// The outcome, once the program has exited with wait status `status`.
  TrialOutcome ended(int status) {
    if (source_.ignored() > 0) {
      std::cerr << "rungs: trial " << plan_.trial_id << ": " << source_.ignored()
                << " lines from the program were not reports (see " << plan_.log_file << ")"
                << std::endl;
    }
    const std::string how = ChildProcess::describe(status);
    log_ << "attempt " << plan_.attempt << ": ended with " << how << " after epoch " << epochs_
         << std::endl;
    if (failure_) return *failure_;
    if (interrupted_) return outcome(TrialOutcome::Kind::Interrupted);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 75) {
      return outcome(TrialOutcome::Kind::Interrupted);  // "run me again", as rungs says it
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
  std::optional<TrialOutcome> failure_;  ///< decided by rungs: the program is being ended
};

}  // namespace

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

TrialOutcome supervise(ChildProcess& child, ReportSource& source, const RunPlan& plan,
                       const EpochCallback& on_epoch, const InterruptCheck& should_stop,
                       std::ostream& log) {
  return ProgramRun(child, source, plan, log).run(on_epoch, should_stop);
}

}  // namespace rungs
