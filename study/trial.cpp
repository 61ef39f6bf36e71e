#include "study/trial.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace rungs {

const char* to_string(Direction direction) {
  return direction == Direction::Maximize ? "maximize" : "minimize";
}

bool is_better(double a, double b, Direction direction) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return direction == Direction::Maximize ? a > b : a < b;
}

const char* to_string(TrialStatus status) {
  switch (status) {
    case TrialStatus::Running: return "running";
    case TrialStatus::Paused: return "paused";
    case TrialStatus::Completed: return "completed";
    case TrialStatus::Stopped: return "stopped";
    case TrialStatus::Failed: return "failed";
  }
  return "unknown";
}

std::optional<TrialStatus> parse_trial_status(const std::string& text) {
  for (auto s : {TrialStatus::Running, TrialStatus::Paused, TrialStatus::Completed,
                 TrialStatus::Stopped, TrialStatus::Failed}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

bool is_finished(TrialStatus status) {
  return status == TrialStatus::Completed || status == TrialStatus::Stopped ||
         status == TrialStatus::Failed;
}

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::Continue: return "continue";
    case Verdict::Stop: return "stop";
    case Verdict::Pause: return "pause";
  }
  return "unknown";
}

bool from_byte(std::uint8_t byte, Verdict& verdict) {
  if (byte > static_cast<std::uint8_t>(Verdict::Pause)) return false;
  verdict = static_cast<Verdict>(byte);
  return true;
}

bool is_valid_metric_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
  });
}

std::optional<double> EpochResult::metric(std::string_view name) const {
  for (const Metric& m : metrics) {
    if (m.name == name) return m.value;
  }
  return std::nullopt;
}

void EpochResult::set_metric(std::string_view name, double v) {
  for (Metric& m : metrics) {
    if (m.name == name) {
      m.value = v;
      return;
    }
  }
  metrics.push_back(Metric{std::string(name), v});
}

std::vector<std::string> metric_names(const std::vector<const TrialRecord*>& trials) {
  std::set<std::string> names;
  for (const TrialRecord* trial : trials) {
    for (const EpochResult& epoch : trial->curve) {
      for (const Metric& m : epoch.metrics) names.insert(m.name);
    }
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> metric_names(const std::vector<TrialRecord>& trials) {
  std::vector<const TrialRecord*> pointers;
  pointers.reserve(trials.size());
  for (const TrialRecord& trial : trials) pointers.push_back(&trial);
  return metric_names(pointers);
}

std::optional<double> TrialRecord::last_value() const {
  if (curve.empty()) return std::nullopt;
  return curve.back().value;
}

std::optional<double> TrialRecord::best_value(Direction direction) const {
  std::optional<double> best;
  for (const auto& e : curve) {
    if (!best || is_better(e.value, *best, direction)) best = e.value;
  }
  return best;
}

const TrialRecord* best_trial(const std::vector<TrialRecord>& trials, Direction direction) {
  const TrialRecord* best = nullptr;
  double best_value = 0.0;
  for (const auto& t : trials) {
    if (t.status == TrialStatus::Failed) continue;
    auto v = t.best_value(direction);
    if (!v || std::isnan(*v)) continue;
    if (!best || is_better(*v, best_value, direction)) {
      best = &t;
      best_value = *v;
    }
  }
  return best;
}

}  // namespace rungs
