#include "report/status.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "report/summary.h"

namespace rungs::report {
namespace {

std::string format_value(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

/// A parameter for reading: floats to 6 significant digits (export has them exact).
std::string format_param(const ParamValue& value) {
  if (const double* d = std::get_if<double>(&value)) return format_value(*d);
  return to_string(value);
}

/// One line of text: line breaks in a failure reason become spaces.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

constexpr TrialStatus kColumns[] = {TrialStatus::Running, TrialStatus::Paused,
                                    TrialStatus::Completed, TrialStatus::Stopped,
                                    TrialStatus::Failed};
/// Lists of running and failed trials stop after this many lines.
constexpr int kListed = 8;

void write_header(std::ostream& out, const StudyView& view, double now) {
  const StoredStudy& s = view.stored;
  out << "study " << s.name << " (" << view.path << "): " << s.state;
  if (!view.slurm_job_id.empty()) out << ", Slurm job " << view.slurm_job_id;
  if (view.job_seconds_left) {
    out << ", " << format_duration(std::max(0.0, *view.job_seconds_left)) << " before its time limit";
  }
  if (view.lock) {
    out << " (rank 0: pid " << view.lock->pid << " on " << view.lock->host << ")";
  } else if (s.state != "finished") {
    out << "; no job holds it now (stopped, crashed or waiting for a requeue; rungs run on its"
           " study file resumes it)";
  }
  out << "\n";
  if (s.state == "finished") {
    out << "elapsed " << format_duration(s.elapsed) << "\n";
  } else {
    out << "elapsed " << format_duration(s.elapsed) << " at the last save";
    if (view.file_mtime > 0 && now >= view.file_mtime) {
      out << ", " << format_duration(now - view.file_mtime) << " ago";
    }
    out << "\n";
  }
}

void write_counts(std::ostream& out, const StudyView& view) {
  const StatusCounts counts = count_statuses(view.stored.trials);
  out << "trials: " << counts.total;
  if (view.max_trials > 0) out << " of " << view.max_trials;
  out << " started; ";
  bool first = true;
  for (const TrialStatus status : {TrialStatus::Completed, TrialStatus::Stopped,
                                   TrialStatus::Failed, TrialStatus::Running, TrialStatus::Paused}) {
    out << (first ? "" : ", ") << counts[status] << " " << to_string(status);
    first = false;
  }
  out << "\n";
}

/// budget.seconds and budget.epochs_total: how much of each is used and left.
void write_budget(std::ostream& out, const StudyView& view) {
  if (view.budget_seconds <= 0 && view.budget_epochs_total <= 0) return;
  out << "budget:";
  const double used = view.stored.elapsed;
  if (view.budget_seconds > 0) {
    out << " " << format_duration(used) << " of " << format_duration(view.budget_seconds)
        << " used (" << format_duration(std::max(0.0, view.budget_seconds - used)) << " left)";
  }
  if (view.budget_epochs_total > 0) {
    long epochs = 0;
    for (const auto& t : view.stored.trials) epochs += t.epochs_run();
    out << (view.budget_seconds > 0 ? ";" : "") << " " << epochs << " of "
        << view.budget_epochs_total << " epochs (" << std::max(0L, view.budget_epochs_total - epochs)
        << " left)";
  }
  out << "\n";
}

void write_best(std::ostream& out, const StudyView& view) {
  const StoredStudy& s = view.stored;
  const TrialRecord* best = best_trial(s.trials, s.direction);
  if (best == nullptr) {
    out << "best: no trial has a result yet\n";
    return;
  }
  out << "best: trial " << best->id << ", " << s.metric << " "
      << format_value(*best->best_value(s.direction)) << " (" << to_string(s.direction)
      << ") after " << best->epochs_run() << " epochs, " << to_string(best->status) << "\n";
  if (s.test && s.test->trial_id == best->id) {
    out << "  test accuracy (held out, not used for tuning): " << format_value(s.test->accuracy) << "\n";
  }
  for (const std::string& name : view.param_names) {
    const auto found = best->params.find(name);
    if (found != best->params.end()) out << "  " << name << ": " << format_param(found->second) << "\n";
  }
}

void write_rungs(std::ostream& out, const StudyView& view) {
  const auto rungs = rung_occupancy(view.stored.trials);
  if (rungs.empty()) return;
  out << "rungs (trials by the highest rung they reached):\n";
  char line[160];
  std::snprintf(line, sizeof line, "  %4s %7s %8s %7s %10s %8s %7s\n", "rung", "trials",
                "running", "paused", "completed", "stopped", "failed");
  out << line;
  for (const auto& [rung, counts] : rungs) {
    std::snprintf(line, sizeof line, "  %4d %7d %8d %7d %10d %8d %7d\n", rung, counts.total,
                  counts[kColumns[0]], counts[kColumns[1]], counts[kColumns[2]],
                  counts[kColumns[3]], counts[kColumns[4]]);
    out << line;
  }
}

void write_lists(std::ostream& out, const StudyView& view) {
  int running = 0, failed = 0;
  for (const TrialRecord& t : view.stored.trials) {
    if (t.status == TrialStatus::Running && running++ < kListed) {
      out << "running: trial " << t.id << " on rank " << t.worker << ", " << t.epochs_run()
          << " of " << t.max_epochs << " epochs";
      if (const auto last = t.last_value()) out << ", " << view.stored.metric << " " << format_value(*last);
      out << "\n";
    }
    if (t.status == TrialStatus::Failed && failed++ < kListed) {
      out << "failed: trial " << t.id << ": " << (t.reason.empty() ? "(no reason recorded)" : one_line(t.reason))
          << "\n";
    }
  }
  if (running > kListed) out << "running: ... and " << running - kListed << " more\n";
  if (failed > kListed) out << "failed: ... and " << failed - kListed << " more\n";
}

}  // namespace

std::string format_duration(double seconds) {
  if (!(seconds >= 0)) seconds = 0;
  const long long total = std::llround(seconds);
  if (total < 60) return std::to_string(total) + "s";
  char text[48];
  if (total < 3600) {
    std::snprintf(text, sizeof text, "%lldm%02llds", total / 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm%02llds", total / 3600, total / 60 % 60,
                  total % 60);
  }
  return text;
}

std::string format_status(const StudyView& view, double now) {
  std::ostringstream out;
  write_header(out, view, now);
  write_counts(out, view);
  write_budget(out, view);
  write_best(out, view);
  write_rungs(out, view);
  write_lists(out, view);
  return out.str();
}

}  // namespace rungs::report
