#include "io/warm_start.h"

#include <filesystem>
#include <set>
#include <sstream>

#include "study/errors.h"

namespace rungs {

namespace {

/// "a, b and c"; "none" for no names.
std::string name_list(const std::set<std::string>& names) {
  if (names.empty()) return "none";
  std::string out;
  std::size_t i = 0;
  for (const auto& n : names) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += n;
    ++i;
  }
  return out;
}

bool has_results(const TrialRecord& t) {
  return (t.status == TrialStatus::Completed || t.status == TrialStatus::Stopped) && !t.curve.empty();
}

/// `curve` cut at `epochs`, each value that of `metric` (nullopt: an epoch did not report it).
std::optional<std::vector<EpochResult>> curve_of(const std::vector<EpochResult>& curve,
                                                 const std::string& metric, bool is_objective,
                                                 int epochs) {
  std::vector<EpochResult> out;
  for (const EpochResult& e : curve) {
    if (e.epoch > epochs) break;
    EpochResult r = e;
    if (!is_objective) {
      const auto v = e.metric(metric);
      if (!v) return std::nullopt;
      r.value = *v;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

WarmStart carry_over(const StoredStudy& old, const StudyConfig& config) {
  const std::string where = config.where("warm_start.from") + ": " + config.warm_start;
  const SearchSpace& space = config.space;
  const std::string& metric = config.objective.metric;
  const bool is_objective = old.metric == metric;

  std::vector<TrialRecord> trials = old.trials;
  restore_choice_types(space, trials);
  WarmStart warm;
  warm.from = config.warm_start;
  std::set<std::string> old_names, kept, dropped, added;
  int without_results = 0, without_metric = 0, out_of_bounds = 0;
  for (const TrialRecord& t : trials) {
    for (const auto& [name, value] : t.params) old_names.insert(name);
    if (!has_results(t)) {
      ++without_results;
      continue;
    }
    auto curve = curve_of(t.curve, metric, is_objective, config.budget.epochs);
    if (!curve) {
      ++without_metric;
      continue;
    }
    if (curve->empty()) continue;
    TrialRecord carried = t;
    carried.id = -1 - t.id;
    carried.curve = std::move(*curve);
    carried.params.clear();
    bool complete = true;
    for (const ParamSpec& spec : space.params()) {
      if (!space.is_active(spec, carried.params)) continue;
      const auto it = t.params.find(spec.name);
      if (it == t.params.end()) {
        complete = false;
      } else if (!spec.contains(it->second)) {
        ++out_of_bounds;
        complete = false;
      } else {
        carried.params[spec.name] = it->second;
      }
    }
    if (complete) warm.complete.push_back(carried);
    warm.trials.push_back(std::move(carried));
  }
  for (const auto& name : old_names) (space.find(name) ? kept : dropped).insert(name);
  for (const ParamSpec& spec : space.params()) {
    if (!old_names.count(spec.name)) added.insert(spec.name);
  }

  if (warm.trials.empty() && without_metric > 0) {
    throw ConfigError(where + ": its trials do not report " + metric +
                      " (this study's objective.metric); that study's metric is " + old.metric);
  }
  if (kept.empty() && !space.empty() && !old_names.empty()) {
    throw ConfigError(where + ": shares no parameter with this study's search_space (it searched " +
                      name_list(old_names) + ")");
  }

  std::ostringstream line;
  line << "warm start from " << config.warm_start << ": " << warm.trials.size() << " of "
       << old.trials.size() << " trials carried over";
  if (without_results > 0) line << " (" << without_results << " failed or unfinished left out)";
  if (without_metric > 0) line << " (" << without_metric << " without " << metric << " left out)";
  line << "; parameters kept: " << name_list(kept) << "; dropped: " << name_list(dropped)
       << "; new: " << name_list(added);
  if (out_of_bounds > 0) {
    line << "; " << out_of_bounds << (out_of_bounds == 1 ? " value" : " values")
         << " outside the new bounds not used";
  }
  warm.summary = line.str();
  return warm;
}

WarmStart load_warm_start(const StudyConfig& config) {
  if (config.warm_start.empty()) return {};
  namespace fs = std::filesystem;
  const std::string where = config.where("warm_start.from") + ": " + config.warm_start;
  std::error_code ec;
  if (!fs::exists(config.warm_start, ec)) throw ConfigError(where + ": no such file");
  if (fs::exists(config.study_file(), ec) &&
      fs::equivalent(config.warm_start, config.study_file(), ec)) {
    throw ConfigError(where + ": is this study's own file; warm_start reads an earlier study");
  }
  StoredStudy old;
  try {
    old = read_study_file(config.warm_start);
  } catch (const Error& e) {
    throw ConfigError(config.where("warm_start.from") + ": " + e.what());
  }
  return carry_over(old, config);
}

}  // namespace rungs
