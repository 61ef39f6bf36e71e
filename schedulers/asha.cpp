#include "schedulers/asha.h"

#include "schedulers/actions.h"
#include "schedulers/scheduler_options.h"

namespace rungs {

AshaScheduler::AshaScheduler(const LadderSpec& spec, Direction direction, bool promotion)
    : spec_(spec), direction_(direction), promotion_(promotion), bracket_(spec, direction, promotion) {}

std::unique_ptr<Scheduler> AshaScheduler::from_options(const AlgorithmOptions& options,
                                                       int max_epochs, Direction direction) {
  const LadderSpec spec = read_ladder(options, max_epochs, true);
  const bool promotion = read_promotion_mode(options);
  return std::make_unique<AshaScheduler>(spec, direction, promotion);
}

NextAction AshaScheduler::next(const SchedulerView& view) {
  if (promotion_) {
    if (auto p = bracket_.best_promotion(view.trials)) {
      bracket_.resumed(p->trial_id);
      return resume_trial(p->trial_id, p->epochs);
    }
  }
  return start_or_wait(view, spec_.max_resource);
}

Verdict AshaScheduler::on_report(const TrialRecord& trial, const std::vector<TrialRecord>&) {
  return bracket_.on_report(trial);
}

void AshaScheduler::rebuild(const std::vector<TrialRecord>& trials) {
  bracket_ = AshaBracket(spec_, direction_, promotion_);
  for (const auto& t : prior_) bracket_.add(t);
  for (const auto& t : trials) bracket_.add(t);
}

bool AshaScheduler::add_prior(const std::vector<TrialRecord>& prior) {
  prior_ = prior;
  rebuild({});
  return true;
}

int AshaScheduler::rung_of(const TrialRecord& trial) const {
  return absolute_rung(last_epoch(trial), spec_.min_resource, spec_.max_resource,
                       spec_.reduction_factor);
}

}  // namespace rungs
