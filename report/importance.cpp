#include "report/importance.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "report/random_forest.h"

namespace rungs::report {
namespace {

/// Maps a parameter's values to [0, 1]: through its spec when the search space is known,
/// else numbers min-max scaled and other values as equal cells in sorted order.
class FeatureScale {
 public:
  FeatureScale(const ParamSpec* spec, const std::vector<ParamValue>& values) : spec_(spec) {
    if (spec_) return;
    for (const ParamValue& v : values) {
      if (std::holds_alternative<std::string>(v)) numeric_ = false;
    }
    if (numeric_) {
      for (const ParamValue& v : values) {
        low_ = std::min(low_, as_double(v));
        high_ = std::max(high_, as_double(v));
      }
    } else {
      for (const ParamValue& v : values) cells_.insert(to_string(v));
    }
  }

  double operator()(const ParamValue& value) const {
    if (spec_ && spec_->contains(value)) return spec_->to_unit(value);
    if (numeric_ && !std::holds_alternative<std::string>(value)) {
      return high_ > low_ ? (as_double(value) - low_) / (high_ - low_) : 0.5;
    }
    const auto found = cells_.find(to_string(value));
    const double index = static_cast<double>(std::distance(cells_.begin(), found));
    return (index + 0.5) / static_cast<double>(std::max<std::size_t>(1, cells_.size()));
  }

 private:
  const ParamSpec* spec_;
  bool numeric_ = true;
  double low_ = INFINITY, high_ = -INFINITY;
  std::set<std::string> cells_;
};

}  // namespace

ImportanceResult parameter_importance(const StudyView& view, std::uint64_t seed) {
  ImportanceResult result;
  const Direction direction = view.stored.direction;
  std::vector<const TrialRecord*> candidates;
  for (const TrialRecord& t : view.stored.trials) {
    if (t.status != TrialStatus::Failed && trial_value(t, direction)) candidates.push_back(&t);
  }
  // The budget: the most epochs that enough trials reached.
  std::vector<int> lengths;
  for (const TrialRecord* t : candidates) lengths.push_back(t->epochs_run());
  std::sort(lengths.begin(), lengths.end(), std::greater<int>());
  const std::size_t enough = std::min<std::size_t>(lengths.size(), kCommonBudgetTrials);
  result.budget = enough == 0 ? 0 : lengths[enough - 1];

  std::vector<const TrialRecord*> used;
  std::vector<double> y;
  for (const TrialRecord* t : candidates) {
    if (t->epochs_run() < result.budget) continue;
    std::optional<double> best;
    for (int e = 0; e < result.budget; ++e) {
      const double v = t->curve[e].value;
      if (std::isfinite(v) && (!best || is_better(v, *best, direction))) best = v;
    }
    if (!best) continue;
    used.push_back(t);
    y.push_back(*best);
  }
  result.trials_used = static_cast<int>(used.size());
  if (result.trials_used < kMinImportanceTrials) {
    result.note = "needs at least " + std::to_string(kMinImportanceTrials) +
                  " trials with a value; the study has " + std::to_string(result.trials_used);
    return result;
  }

  std::vector<std::string> names;
  for (const std::string& name : view.param_names) {
    const bool everywhere = std::all_of(used.begin(), used.end(),
                                        [&](const TrialRecord* t) { return t->params.count(name) > 0; });
    const bool somewhere = std::any_of(used.begin(), used.end(),
                                       [&](const TrialRecord* t) { return t->params.count(name) > 0; });
    if (everywhere) {
      names.push_back(name);
    } else if (somewhere) {
      result.left_out.push_back(name);
    }
  }
  if (names.empty()) {
    result.note = "no parameter is present in every trial with a value";
    return result;
  }

  std::vector<std::vector<double>> x(used.size(), std::vector<double>(names.size()));
  for (std::size_t f = 0; f < names.size(); ++f) {
    std::vector<ParamValue> values;
    for (const TrialRecord* t : used) values.push_back(t->params.at(names[f]));
    const FeatureScale scale(view.space ? view.space->find(names[f]) : nullptr, values);
    for (std::size_t r = 0; r < used.size(); ++r) x[r][f] = scale(values[r]);
  }

  ForestOptions options;
  options.seed = seed;
  const std::vector<RegressionTree> forest = fit_forest(x, y, options);
  std::vector<double> sum(names.size(), 0.0);
  int informative = 0;
  for (const RegressionTree& tree : forest) {
    const std::vector<double> effects = tree.main_effects(static_cast<int>(names.size()));
    double total = 0.0;
    for (double e : effects) total += e;
    if (total <= 0) continue;  // a tree whose bootstrap sample had one value only
    ++informative;
    for (std::size_t f = 0; f < names.size(); ++f) sum[f] += effects[f];
  }
  double total = 0.0;
  for (double s : sum) total += s;
  if (informative == 0 || total <= 0) {
    result.note = "the trials' values do not vary with their parameters";
    return result;
  }
  for (std::size_t f = 0; f < names.size(); ++f) result.params.push_back({names[f], sum[f] / total});
  std::stable_sort(result.params.begin(), result.params.end(),
                   [](const ParamImportance& a, const ParamImportance& b) {
                     return a.importance > b.importance;
                   });
  return result;
}

}  // namespace rungs::report
