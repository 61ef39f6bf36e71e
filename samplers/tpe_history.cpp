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
  param_of_split_.push_back(0);
  for (std::size_t p = 0; p < n_params_; ++p) {
    // An unconditional parameter is active wherever there is an observation: the global split.
    const bool own = group_.per_parameter && space.params()[p].when.has_value();
    split_of_.push_back(own ? param_of_split_.size() : 0);
    if (own) param_of_split_.push_back(p);
  }
  reset();
}

void TpeHistory::reset() {
  seen_.clear();
  values_.clear();
  pending_.clear();
  splits_.assign(param_of_split_.size(), Split{});
  roles_.clear();
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
  const Seen old = s;
  s.scored = score.has_value();
  if (s.scored) s.score = *score;
  rerank(i, old);
  return true;
}

void TpeHistory::rerank(int i, const Seen& old) {
  const Seen& now = seen_[static_cast<std::size_t>(i)];
  for (std::size_t k = 0; k < splits_.size(); ++k) {
    if (!in_split(i, k)) continue;
    Split& split = splits_[k];
    if (old.scored) {
      split.ranking.erase({old.score, i});
      if (!old.score.is_liar()) --split.n_observed;
    }
    if (now.scored) {
      split.ranking.insert({now.score, i});
      if (!now.score.is_liar()) ++split.n_observed;
    }
  }
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

void TpeHistory::set_role(int i, std::size_t split, Role role) {
  Role& r = roles_[static_cast<std::size_t>(i) * splits_.size() + split];
  if (r == role) return;
  const bool was_above = r == Role::Above, is_above = role == Role::Above;
  r = role;
  if (was_above == is_above) return;
  for (std::size_t p = 0; p < n_params_; ++p) {
    if (!above_[p] || split_of_[p] != split) continue;
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
    roles_.resize(seen_.size() * splits_.size(), Role::None);
    values_.resize(seen_.size() * n_params_);
    ingest_values(i, trials[k]);
    refresh(i, trials[k]);
    if (seen_.back().scored) changed.push_back(i);
    if (!is_finished(trials[k].status)) pending_.insert(i);
  }
  for (std::size_t k = 0; k < splits_.size(); ++k) update_split(k, changed);
}

void TpeHistory::update_split(std::size_t k, std::vector<int> changed) {
  Split& split = splits_[k];
  const std::size_t n_below = below_count(split.n_observed, group_.gamma, group_.gamma_max);
  std::vector<int> below;
  below.reserve(n_below);
  for (auto it = split.ranking.begin(); it != split.ranking.end() && below.size() < n_below; ++it)
    below.push_back(it->trial);
  std::sort(below.begin(), below.end());
  // Trials that left or joined the below group change role too.
  std::set_symmetric_difference(below.begin(), below.end(), split.below.begin(), split.below.end(),
                                std::back_inserter(changed));
  split.below = std::move(below);

  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  for (const int i : changed) {
    Role role = Role::None;
    if (seen_[static_cast<std::size_t>(i)].scored && in_split(i, k))
      role =
          std::binary_search(split.below.begin(), split.below.end(), i) ? Role::Below : Role::Above;
    set_role(i, k, role);
  }
}

}  // namespace rungs
