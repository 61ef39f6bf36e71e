#include "schedulers/median.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "schedulers/actions.h"
#include "schedulers/scheduler_options.h"

namespace rungs {

bool median_rule_stops(double best_so_far, double median, Direction direction) {
  if (std::isnan(best_so_far)) return true;
  return is_better(median, best_so_far, direction);
}

void RunningMedian::add(double value) {
  if (low_.empty() || value <= low_.top()) {
    low_.push(value);
  } else {
    high_.push(value);
  }
  // Keep |low| == |high| or |low| == |high| + 1.
  if (low_.size() > high_.size() + 1) {
    high_.push(low_.top());
    low_.pop();
  } else if (high_.size() > low_.size()) {
    low_.push(high_.top());
    high_.pop();
  }
}

double RunningMedian::median() const {
  if (low_.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (low_.size() > high_.size()) return low_.top();
  return (low_.top() + high_.top()) / 2.0;
}

MedianStoppingScheduler::MedianStoppingScheduler(int max_epochs, int grace_period, int min_trials,
                                                 Direction direction)
    : max_epochs_(max_epochs),
      grace_period_(grace_period),
      min_trials_(min_trials),
      direction_(direction) {}

std::unique_ptr<Scheduler> MedianStoppingScheduler::from_options(const AlgorithmOptions& options,
                                                                 int max_epochs,
                                                                 Direction direction) {
  const int grace = read_int_at_least(options, "grace_period", 1, 1);
  if (grace > max_epochs) {
    options.fail("grace_period",
                 "must be <= the study's budget.epochs (" + std::to_string(max_epochs) + ")");
  }
  const int min_trials = read_int_at_least(options, "min_trials", 3, 1);
  return std::make_unique<MedianStoppingScheduler>(max_epochs, grace, min_trials, direction);
}

NextAction MedianStoppingScheduler::next(const SchedulerView& view) {
  return start_or_wait(view, max_epochs_);
}

RunningMedian& MedianStoppingScheduler::at(int epoch) {
  if (static_cast<int>(by_epoch_.size()) <= epoch) by_epoch_.resize(static_cast<std::size_t>(epoch) + 1);
  return by_epoch_[static_cast<std::size_t>(epoch)];
}

double MedianStoppingScheduler::median_at(int epoch) const {
  if (epoch < 0 || epoch >= static_cast<int>(by_epoch_.size())) return std::numeric_limits<double>::quiet_NaN();
  return by_epoch_[static_cast<std::size_t>(epoch)].median();
}

int MedianStoppingScheduler::count_at(int epoch) const {
  if (epoch < 0 || epoch >= static_cast<int>(by_epoch_.size())) return 0;
  return by_epoch_[static_cast<std::size_t>(epoch)].count();
}

Verdict MedianStoppingScheduler::on_report(const TrialRecord& trial, const std::vector<TrialRecord>&) {
  const int epoch = trial.curve.back().epoch;
  if (epoch < 1) return Verdict::Continue;
  double sum = 0.0;
  for (const auto& e : trial.curve) sum += e.value;
  const double average = sum / static_cast<double>(trial.curve.size());

  RunningMedian& others = at(epoch);
  const bool stop = epoch >= grace_period_ && others.count() >= min_trials_ &&
                    median_rule_stops(*trial.best_value(direction_), others.median(), direction_);
  int& counted = counted_[trial.id];
  if (epoch > counted) {
    counted = epoch;
    if (!std::isnan(average)) others.add(average);
  }
  return stop ? Verdict::Stop : Verdict::Continue;
}

void MedianStoppingScheduler::rebuild(const std::vector<TrialRecord>& trials) {
  by_epoch_.clear();
  counted_.clear();
  for (const auto& t : prior_) add_curve(t);
  for (const auto& t : trials) add_curve(t);
}

bool MedianStoppingScheduler::add_prior(const std::vector<TrialRecord>& prior) {
  prior_ = prior;
  rebuild({});
  return true;
}

void MedianStoppingScheduler::add_curve(const TrialRecord& t) {
  double sum = 0.0;
  for (std::size_t i = 0; i < t.curve.size(); ++i) {
    sum += t.curve[i].value;
    const double average = sum / static_cast<double>(i + 1);
    const int epoch = t.curve[i].epoch;
    if (epoch < 1) continue;
    counted_[t.id] = std::max(counted_[t.id], epoch);
    if (!std::isnan(average)) at(epoch).add(average);
  }
}

}  // namespace rungs
