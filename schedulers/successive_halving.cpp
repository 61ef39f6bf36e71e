#include "schedulers/successive_halving.h"

#include <algorithm>
#include <cmath>

#include "schedulers/actions.h"
#include "schedulers/promotion.h"
#include "schedulers/scheduler_options.h"

namespace rungs {

std::vector<int> select_promoted(std::vector<std::pair<int, double>> results, int reduction_factor,
                                 Direction direction) {
  std::sort(results.begin(), results.end(), [&](const auto& a, const auto& b) {
    if (is_better(a.second, b.second, direction)) return true;
    if (is_better(b.second, a.second, direction)) return false;
    return a.first < b.first;
  });
  const int quota = promotion_quota(static_cast<int>(results.size()), reduction_factor, true);
  std::vector<int> ids;
  for (int i = 0; i < quota; ++i) ids.push_back(results[static_cast<std::size_t>(i)].first);
  return ids;
}

SuccessiveHalvingScheduler::SuccessiveHalvingScheduler(const LadderSpec& spec, Direction direction,
                                                       int trials_per_bracket)
    : ladder_(spec), direction_(direction), trials_per_bracket_(trials_per_bracket) {
  start_bracket(0);
}

std::unique_ptr<Scheduler> SuccessiveHalvingScheduler::from_options(const AlgorithmOptions& options,
                                                                    int max_epochs,
                                                                    Direction direction) {
  const LadderSpec spec = read_ladder(options, max_epochs, true);
  const long long n = options.get_int("trials_per_bracket", 0);
  if (n < 0) options.fail("trials_per_bracket", "must be >= 0 (0: the whole trial budget in one bracket)");
  if (n > 1000000000) options.fail("trials_per_bracket", "is too large");
  return std::make_unique<SuccessiveHalvingScheduler>(spec, direction, static_cast<int>(n));
}

void SuccessiveHalvingScheduler::start_bracket(int first_id) {
  first_id_ = first_id;
  open_ = true;
  done_ = false;
  rung_ = 0;
  const auto rungs = static_cast<std::size_t>(ladder_.size());
  members_.assign(rungs, {});
  arrived_.assign(rungs, 0);
  results_.assign(rungs, {});
  member_of_.clear();
  done_with_.clear();
  pending_.clear();
}

void SuccessiveHalvingScheduler::on_trial_start(const TrialRecord& trial) {
  members_[0].push_back(trial.id);
  member_of_[trial.id] = 0;
  done_with_[trial.id] = -1;
}

void SuccessiveHalvingScheduler::arrive(const TrialRecord& trial, int k) {
  done_with_[trial.id] = k;
  ++arrived_[static_cast<std::size_t>(k)];
  const std::optional<double> value = value_at(trial, ladder_.milestone(k));
  if (value && !std::isnan(*value)) results_[static_cast<std::size_t>(k)].emplace_back(trial.id, *value);
}

Verdict SuccessiveHalvingScheduler::on_report(const TrialRecord& trial,
                                              const std::vector<TrialRecord>&) {
  const std::vector<int> passed = ladder_.passed(previous_epoch(trial), last_epoch(trial));
  auto member = member_of_.find(trial.id);
  if (member != member_of_.end()) {
    for (int k : passed) {
      if (k <= member->second && done_with_[trial.id] < k) arrive(trial, k);
    }
  }
  if (passed.empty()) return Verdict::Continue;
  if (std::isnan(trial.curve.back().value)) return Verdict::Stop;
  // The verdict depends on the rung alone: every trial waits at every rung below the top.
  return ladder_.is_top(passed.back()) ? Verdict::Stop : Verdict::Pause;
}

void SuccessiveHalvingScheduler::on_trial_end(const TrialRecord& trial) {
  auto member = member_of_.find(trial.id);
  if (member == member_of_.end()) return;
  // A trial that ends short of the rung it was promoted to will never reach it.
  if (done_with_[trial.id] < member->second) {
    done_with_[trial.id] = member->second;
    ++arrived_[static_cast<std::size_t>(member->second)];
  }
}

void SuccessiveHalvingScheduler::advance(const SchedulerView& view) {
  for (;;) {
    if (open_) {
      const bool full = trials_per_bracket_ > 0 &&
                        static_cast<int>(members_[0].size()) >= trials_per_bracket_;
      if (!full && view.can_start_new) return;
      open_ = false;
    }
    const auto k = static_cast<std::size_t>(rung_);
    if (arrived_[k] < static_cast<int>(members_[k].size())) return;  // the rung waits
    if (ladder_.is_top(rung_) || members_[k].empty()) {
      if (!view.can_start_new) {
        done_ = true;
        return;
      }
      start_bracket(static_cast<int>(view.trials.size()));
      return;
    }
    // Promote. A trial may already be past this point: one that failed after its result
    // was recorded, or (after rebuild()) one resumed or even arrived before the restart.
    const std::vector<int> promoted = select_promoted(results_[k], ladder_.spec().reduction_factor, direction_);
    ++rung_;
    const int milestone = ladder_.milestone(rung_);
    const int below = ladder_.milestone(rung_ - 1);
    for (int id : promoted) {
      const TrialRecord& t = view.trials.at(static_cast<std::size_t>(id));
      member_of_[id] = rung_;
      members_[static_cast<std::size_t>(rung_)].push_back(id);
      if (last_epoch(t) >= milestone) {
        arrive(t, rung_);
      } else if (is_finished(t.status)) {
        done_with_[id] = rung_;
        ++arrived_[static_cast<std::size_t>(rung_)];
      } else if (last_epoch(t) == below || t.status == TrialStatus::Paused) {
        pending_.push_back(id);
      }
    }
  }
}

NextAction SuccessiveHalvingScheduler::next(const SchedulerView& view) {
  advance(view);
  if (open_) return start_trial(ladder_.spec().max_resource);
  const int below = rung_ > 0 ? ladder_.milestone(rung_ - 1) : 0;
  const int target = ladder_.milestone(rung_);
  for (auto it = pending_.begin(); it != pending_.end();) {
    const TrialRecord& t = view.trials.at(static_cast<std::size_t>(*it));
    const int epochs = last_epoch(t);
    if (t.status == TrialStatus::Paused && epochs < target) {
      const int id = *it;
      pending_.erase(it);
      return resume_trial(id, target);
    }
    // Running and still at the rung below: its pause (or, after rebuild(), its first
    // report since it was resumed) is on the way. Anything else was resumed already (it
    // has more epochs) or ended, and waits no more.
    if (t.status == TrialStatus::Running && epochs == below) {
      ++it;
    } else {
      it = pending_.erase(it);
    }
  }
  return wait_or_finish(view);
}

void SuccessiveHalvingScheduler::rebuild(const std::vector<TrialRecord>& trials) {
  int first = 0;
  if (trials_per_bracket_ > 0 && !trials.empty()) {
    first = (static_cast<int>(trials.size()) - 1) / trials_per_bracket_ * trials_per_bracket_;
  }
  start_bracket(first);
  for (std::size_t i = static_cast<std::size_t>(first); i < trials.size(); ++i) {
    const TrialRecord& t = trials[i];
    on_trial_start(t);
    if (last_epoch(t) >= ladder_.milestone(0) || is_finished(t.status)) {
      if (last_epoch(t) >= ladder_.milestone(0)) {
        arrive(t, 0);
      } else {
        done_with_[t.id] = 0;
        ++arrived_[0];
      }
    }
  }
  // Higher rungs follow in advance(), which promotes from the recorded results exactly as
  // the scheduler that saw them happen did.
}

int SuccessiveHalvingScheduler::rung_of(const TrialRecord& trial) const {
  const LadderSpec& s = ladder_.spec();
  return absolute_rung(last_epoch(trial), s.min_resource, s.max_resource, s.reduction_factor);
}

}  // namespace rungs
