#include "mpi_driver/progress.h"

#include <cstdio>

namespace rungs {

std::string elapsed_prefix(double seconds, std::time_t now) {
  const long s = static_cast<long>(seconds);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[128];
  std::snprintf(buf, sizeof buf, "[%04d-%02d-%02dT%02d:%02d:%02dZ %02ld:%02ld:%02ld] ",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                utc.tm_sec, s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

std::string elapsed_prefix(double seconds) { return elapsed_prefix(seconds, std::time(nullptr)); }

namespace {
std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

// Parameters for a log line: floats to 4 significant digits (study.h5 keeps full precision).
std::string short_params(const Params& params) {
  std::string out = "{";
  for (const auto& [name, value] : params) {
    if (out.size() > 1) out += ", ";
    out += name + ": ";
    if (auto* d = std::get_if<double>(&value)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.4g", *d);
      out += buf;
    } else {
      out += to_string(value);
    }
  }
  return out + "}";
}

std::string best_part(const std::vector<TrialRecord>& trials, const StudyConfig& config) {
  const TrialRecord* best = best_trial(trials, config.objective.direction);
  if (!best) return "no result yet";
  return "best " + config.objective.metric + " " + fmt(*best->best_value(config.objective.direction)) +
         " (trial " + std::to_string(best->id) + ")";
}
}  // namespace

std::string trial_line(const TrialRecord& t, const std::vector<TrialRecord>& trials,
                       const StudyConfig& config) {
  std::string line = "trial " + std::to_string(t.id) + " " + to_string(t.status) + " after " +
                     std::to_string(t.epochs_run()) + (t.epochs_run() == 1 ? " epoch" : " epochs");
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1f", t.end_time - t.start_time);
  line += std::string(" (") + secs + " s, rank " + std::to_string(t.worker) + ")";
  if (t.status == TrialStatus::Failed) {
    line += ": " + t.reason;
  } else if (auto v = t.best_value(config.objective.direction)) {
    line += ": " + config.objective.metric + " " + fmt(*v);
  }
  return line + " | " + best_part(trials, config) + " | " + short_params(t.params);
}

std::string summary_line(const std::vector<TrialRecord>& trials, const StudyConfig& config) {
  int completed = 0, stopped = 0, failed = 0, running = 0, paused = 0;
  for (const auto& t : trials) {
    switch (t.status) {
      case TrialStatus::Completed: ++completed; break;
      case TrialStatus::Stopped: ++stopped; break;
      case TrialStatus::Failed: ++failed; break;
      case TrialStatus::Running: ++running; break;
      case TrialStatus::Paused: ++paused; break;
    }
  }
  std::string line = std::to_string(completed + stopped + failed) + "/" +
                     std::to_string(config.budget.max_trials) + " trials done (" +
                     std::to_string(completed) + " completed, " + std::to_string(stopped) +
                     " stopped, " + std::to_string(failed) + " failed), " +
                     std::to_string(running) + " running";
  if (paused) line += ", " + std::to_string(paused) + " paused";
  return line + " | " + best_part(trials, config);
}

}  // namespace rungs
