#include "study/config_compat.h"

#include <yaml-cpp/yaml.h>

#include <optional>
#include <set>

namespace rungs {

namespace {

std::string shown(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "(absent)";
  if (n.IsScalar()) return n.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << n;
  return out.c_str();
}

/// The path of the first difference between two nodes, with both values; nullopt if equal.
std::optional<std::string> first_difference(const YAML::Node& a, const YAML::Node& b,
                                            const std::string& path) {
  const bool a_set = a.IsDefined() && !a.IsNull(), b_set = b.IsDefined() && !b.IsNull();
  if (!a_set || !b_set || a.Type() != b.Type()) {
    if (!a_set && !b_set) return std::nullopt;
    return path + ": " + shown(a) + " there, " + shown(b) + " here";
  }
  if (a.IsScalar()) {
    if (a.Scalar() == b.Scalar()) return std::nullopt;
    return path + ": " + shown(a) + " there, " + shown(b) + " here";
  }
  if (a.IsSequence()) {
    if (a.size() != b.size()) return path + ": " + shown(a) + " there, " + shown(b) + " here";
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (auto d = first_difference(a[i], b[i], path + "[" + std::to_string(i) + "]")) return d;
    }
    return std::nullopt;
  }
  std::set<std::string> keys;
  for (const auto& kv : a) keys.insert(kv.first.Scalar());
  for (const auto& kv : b) keys.insert(kv.first.Scalar());
  for (const auto& key : keys) {
    if (auto d = first_difference(a[key], b[key], path.empty() ? key : path + "." + key)) return d;
  }
  return std::nullopt;
}

}  // namespace

std::string resume_incompatibility(const StudyConfig& now, const std::string& recorded_text,
                                   const std::string& study_file, int trials_started) {
  YAML::Node before;
  try {
    before = YAML::Load(recorded_text);
  } catch (const YAML::Exception& e) {
    return study_file + ": its recorded study file is not valid YAML: " + e.msg;
  }
  const YAML::Node here = YAML::Load(now.text);
  const std::string tail = "; only budget.max_trials (not below the trials started), "
                           "budget.seconds, budget.epochs_total, budget.when_spent, output, resources, checkpoints "
                           "and preemption may change when resuming";
  for (const char* key : {"name", "seed", "objective", "search_space", "fixed", "sampler",
                          "scheduler", "budget"}) {
    YAML::Node a = YAML::Clone(before[key]), b = YAML::Clone(here[key]);
    if (std::string(key) == "budget") {
      for (const char* free : {"max_trials", "seconds", "epochs_total", "when_spent"}) {
        if (a.IsMap()) a.remove(free);
        if (b.IsMap()) b.remove(free);
      }
    }
    if (auto d = first_difference(a, b, key)) {
      return now.path + ": differs from the study in " + study_file + " (" + *d + ")" + tail;
    }
  }
  if (now.budget.max_trials < trials_started) {
    return now.where("budget.max_trials") + ": " + std::to_string(now.budget.max_trials) +
           " is less than the " + std::to_string(trials_started) + " trials " + study_file +
           " already has";
  }
  return {};
}

}  // namespace rungs
