#include "schedulers/asha_bracket.h"

#include <cmath>

namespace rungs {

AshaBracket::AshaBracket(const LadderSpec& spec, Direction direction, bool promotion)
    : ladder_(spec), direction_(direction), promotion_(promotion) {
  for (int k = 0; k < ladder_.size(); ++k) {
    rungs_.push_back(Rung{RungCutoff(spec.reduction_factor, !promotion), {}});
  }
}

Verdict AshaBracket::on_report(const TrialRecord& trial) {
  unwait(trial.id);  // reporting again means it was resumed
  const std::vector<int> passed = ladder_.passed(previous_epoch(trial), last_epoch(trial));
  if (passed.empty()) return Verdict::Continue;  // between rungs

  const double value = trial.curve.back().value;
  if (std::isnan(value)) return Verdict::Stop;
  const double score = score_of(value, direction_);
  bool goes_on = true;
  for (int k : passed) {
    // Only a first result at a rung is judged there.
    if (record(trial.id, k, score) && !ladder_.is_top(k) &&
        !rungs_[static_cast<std::size_t>(k)].cutoff.admits(score)) {
      goes_on = false;
    }
  }
  const int highest = passed.back();
  if (ladder_.is_top(highest)) return Verdict::Stop;  // trained to R: its work is done
  if (promotion_) {
    wait_at(highest, trial.id, score);
    return Verdict::Pause;
  }
  return goes_on ? Verdict::Continue : Verdict::Stop;
}

void AshaBracket::on_trial_end(const TrialRecord& trial) { unwait(trial.id); }

void AshaBracket::add(const TrialRecord& trial) {
  const int epochs = last_epoch(trial);
  for (int k : ladder_.passed(0, epochs)) {
    const std::optional<double> value = value_at(trial, ladder_.milestone(k));
    if (value && !std::isnan(*value)) record(trial.id, k, score_of(*value, direction_));
  }
  if (!promotion_) return;
  if (trial.status != TrialStatus::Paused && trial.status != TrialStatus::Running) return;
  const int k = ladder_.reached(epochs);
  if (k < 0 || ladder_.is_top(k)) return;
  const std::optional<double> value = value_at(trial, ladder_.milestone(k));
  if (value && !std::isnan(*value)) wait_at(k, trial.id, score_of(*value, direction_));
}

std::optional<AshaBracket::Promotion> AshaBracket::best_promotion(
    const std::vector<TrialRecord>& trials) const {
  for (int k = ladder_.size() - 2; k >= 0; --k) {
    const Rung& rung = rungs_[static_cast<std::size_t>(k)];
    for (const auto& [key, id] : rung.waiting) {
      if (!rung.cutoff.admits(-key)) break;  // the rest score lower still
      // A trial that reported its rung but whose pause has not arrived yet is skipped.
      if (trials.at(static_cast<std::size_t>(id)).status == TrialStatus::Paused) {
        return Promotion{id, ladder_.milestone(k + 1), ladder_.absolute(k + 1)};
      }
    }
  }
  return std::nullopt;
}

bool AshaBracket::record(int trial_id, int k, double score) {
  auto [it, inserted] = recorded_.try_emplace(trial_id, k);
  if (!inserted) {
    if (it->second >= k) return false;
    it->second = k;
  }
  rungs_[static_cast<std::size_t>(k)].cutoff.record(score);
  return true;
}

void AshaBracket::wait_at(int k, int trial_id, double score) {
  unwait(trial_id);
  rungs_[static_cast<std::size_t>(k)].waiting.emplace(-score, trial_id);
  waiting_[trial_id] = {k, -score};
}

void AshaBracket::unwait(int trial_id) {
  auto it = waiting_.find(trial_id);
  if (it == waiting_.end()) return;
  rungs_[static_cast<std::size_t>(it->second.first)].waiting.erase({it->second.second, trial_id});
  waiting_.erase(it);
}

}  // namespace rungs
