#include "samplers/tpe_history.h"

#include <algorithm>
#include <cmath>

#include "samplers/parzen_domain.h"

namespace rungs {

TpeHistory::TpeHistory(const SearchSpace& space, Direction direction, const ParzenSettings& parzen,
                       const TpeGroupSettings& group)
    : space_(&space),
      direction_(direction),
      parzen_(parzen),
      group_(group),
      n_params_(space.size()) {
  reset();
}

void TpeHistory::reset() {
  seen_.clear();
  values_.clear();
  pending_.clear();
  ranking_.clear();
  n_observed_ = 0;
  below_.clear();
  above_.clear();
  for (const auto& spec : space_->params()) {
    above_.push_back(is_single_valued(spec)
                         ? nullptr
                         : std::make_unique<AboveDensity>(parzen_domain(spec), parzen_));
  }
}

bool TpeHistory::consistent(const std::vector<TrialRecord>& trials) const {
  if (trials.size() < seen_.size()) return false;
  // Spot checks: finished trials never change, so the first and last known must match.
  for (const std::size_t i : {std::size_t{0}, seen_.size() - 1}) {
    if (i >= seen_.size() || !is_finished(seen_[i].status)) continue;
    if (trials[i].status != seen_[i].status || trials[i].curve.size() != seen_[i].epochs)
      return false;
  }
  return true;
}

bool TpeHistory::refresh(int i, const TrialRecord& trial) {
  Seen& s = seen_[static_cast<std::size_t>(i)];
  const double last = trial.curve.empty() ? 0.0 : trial.curve.back().value;
  const bool same_last = last == s.last || (std::isnan(last) && std::isnan(s.last));
  if (trial.status == s.status && trial.curve.size() == s.epochs && same_last) {
    return false;
  }
  s.status = trial.status;
  s.epochs = trial.curve.size();
  s.last = last;
  const auto score = tpe_score(trial, direction_, group_.constant_liar);
  if (score.has_value() == s.scored && (!s.scored || *score == s.score)) return false;
  if (s.scored) {
    ranking_.erase({s.score, i});
    if (!s.score.is_liar()) --n_observed_;
  }
  s.scored = score.has_value();
  if (s.scored) {
    s.score = *score;
    ranking_.insert({s.score, i});
    if (!s.score.is_liar()) ++n_observed_;
  }
  return true;
}

void TpeHistory::ingest_values(int i, const TrialRecord& trial) {
  const auto& specs = space_->params();
  for (std::size_t p = 0; p < n_params_; ++p) {
    const auto it = trial.params.find(specs[p].name);
    // A value outside the domain (a study file edited between runs) is not learned from.
    const bool usable = it != trial.params.end() && specs[p].contains(it->second);
    values_[static_cast<std::size_t>(i) * n_params_ + p] =
        usable ? to_internal(specs[p], it->second) : std::nan("");
  }
}

void TpeHistory::set_role(int i, Role role) {
  Seen& s = seen_[static_cast<std::size_t>(i)];
  if (s.role == role) return;
  const bool was_above = s.role == Role::Above, is_above = role == Role::Above;
  s.role = role;
  if (was_above == is_above) return;
  for (std::size_t p = 0; p < n_params_; ++p) {
    if (!above_[p]) continue;
    const double v = value(i, p);
    if (std::isnan(v)) continue;
    if (is_above) {
      above_[p]->insert(i, v);
    } else {
      above_[p]->erase(i);
    }
  }
}

void TpeHistory::sync(const std::vector<TrialRecord>& trials) {
  if (!consistent(trials)) reset();
  std::vector<int> changed;
  for (auto it = pending_.begin(); it != pending_.end();) {
    const int i = *it;
    const TrialRecord& t = trials[static_cast<std::size_t>(i)];
    if (refresh(i, t)) changed.push_back(i);
    it = is_finished(t.status) ? pending_.erase(it) : std::next(it);
  }
  for (std::size_t k = seen_.size(); k < trials.size(); ++k) {
    const int i = static_cast<int>(k);
    seen_.emplace_back();
    values_.resize(seen_.size() * n_params_);
    ingest_values(i, trials[k]);
    refresh(i, trials[k]);
    if (seen_.back().scored) changed.push_back(i);
    if (!is_finished(trials[k].status)) pending_.insert(i);
  }

  const std::size_t n_below = below_count(n_observed_, group_.gamma, group_.gamma_max);
  std::vector<int> below;
  below.reserve(n_below);
  for (auto it = ranking_.begin(); it != ranking_.end() && below.size() < n_below; ++it)
    below.push_back(it->trial);
  std::sort(below.begin(), below.end());
  // Trials that left or joined the below group change role too.
  std::set_symmetric_difference(below.begin(), below.end(), below_.begin(), below_.end(),
                                std::back_inserter(changed));
  below_ = std::move(below);

  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  for (const int i : changed) {
    const Seen& s = seen_[static_cast<std::size_t>(i)];
    Role role = Role::None;
    if (s.scored)
      role = std::binary_search(below_.begin(), below_.end(), i) ? Role::Below : Role::Above;
    set_role(i, role);
  }
}

}  // namespace rungs
