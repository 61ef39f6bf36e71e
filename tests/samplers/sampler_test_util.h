#pragma once
/// Helpers for the sampler tests: trials as the coordinator would record them, and a
/// sequential study loop.
#include <functional>
#include <vector>

#include "samplers/sampler.h"
#include "study/config.h"
#include "study/errors.h"

namespace rungs::testing {

/// The one objective of the test studies as a multi-objective sampler sees it.
inline const MultiObjective kObjective = {{{"objective", Direction::Minimize}}, {}};

/// A trial with `values` reported at epochs 1, 2, ... and the given status.
inline TrialRecord make_trial(int id, Params params, TrialStatus status,
                              std::vector<double> values = {}) {
  TrialRecord t;
  t.id = id;
  t.params = std::move(params);
  t.status = status;
  t.max_epochs = static_cast<int>(values.size());
  for (std::size_t e = 0; e < values.size(); ++e) {
    EpochResult r;
    r.epoch = static_cast<int>(e) + 1;
    r.value = values[e];
    r.set_metric("objective", values[e]);  // what kObjective names, for nsga2
    t.curve.push_back(r);
  }
  return t;
}

/// Runs `n` trials one after another: suggest, evaluate `objective`, record as completed.
/// Stops early when the sampler is exhausted.
inline void run_study(Sampler& sampler, const std::function<double(const Params&)>& objective,
                      int n, std::vector<TrialRecord>& trials) {
  for (int i = 0; i < n; ++i) {
    const int id = static_cast<int>(trials.size());
    auto params = sampler.suggest(id, trials);
    if (!params) return;
    const double value = objective(*params);
    trials.push_back(make_trial(id, std::move(*params), TrialStatus::Completed, {value}));
    sampler.on_trial_end(trials.back());
  }
}

/// The best (lowest) value among completed trials.
inline double best_value(const std::vector<TrialRecord>& trials) {
  double best = 1e300;
  for (const auto& t : trials) {
    if (!t.curve.empty()) best = std::min(best, t.curve.back().value);
  }
  return best;
}

/// A study file with this search space ("  x: {type: float, ...}\n" lines) and nothing else
/// of note.
inline StudyConfig parse_space(const std::string& space) {
  return parse_study_config("name: t\nobjective: {model: mlp}\nsearch_space:\n" + space +
                                "budget: {max_trials: 1, epochs: 1}\n",
                            "t.yaml");
}

inline AlgorithmOptions sampler_options(const std::string& name,
                                        std::map<std::string, ParamValue> values = {}) {
  return AlgorithmOptions(name, std::move(values), "t.yaml: sampler");
}

/// The error make_sampler reports for these options of sampler `name`, or "no error".
inline std::string sampler_error(const std::string& name, std::map<std::string, ParamValue> options,
                                 const SearchSpace& space) {
  try {
    make_sampler(sampler_options(name, std::move(options)), space, Direction::Minimize, 1);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace rungs::testing
