#include "schedulers/hyperband.h"

#include "schedulers/actions.h"
#include "schedulers/scheduler_options.h"
#include "study/errors.h"

namespace rungs {

std::vector<int> hyperband_weights(int brackets, int max_bracket, int reduction_factor) {
  std::vector<int> weights;
  for (int s = 0; s < brackets; ++s) {
    const int halvings = max_bracket - s;  // Hyperband's own bracket index
    long long eta_power = 1;
    for (int i = 0; i < halvings; ++i) eta_power *= reduction_factor;
    // ceil((s_max + 1) * eta^halvings / (halvings + 1)) in integers
    const long long n = ((max_bracket + 1) * eta_power + halvings) / (halvings + 1);
    weights.push_back(static_cast<int>(n));
  }
  return weights;
}

std::vector<int> bracket_sequence(const std::vector<int>& weights) {
  long long total = 0;
  for (int w : weights) total += w;
  std::vector<long long> current(weights.size(), 0);
  std::vector<int> sequence;
  for (long long step = 0; step < total; ++step) {
    std::size_t best = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      current[i] += weights[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    sequence.push_back(static_cast<int>(best));
  }
  return sequence;
}

HyperbandScheduler::HyperbandScheduler(const LadderSpec& spec, const std::vector<int>& weights,
                                       Direction direction, bool promotion)
    : spec_(spec),
      direction_(direction),
      promotion_(promotion),
      bracket_count_(static_cast<int>(weights.size())),
      sequence_(bracket_sequence(weights)) {
  const int s_max = max_bracket(spec.min_resource, spec.max_resource, spec.reduction_factor);
  if (weights.empty() || static_cast<int>(weights.size()) > s_max + 1) {
    throw Error("brackets is " + std::to_string(weights.size()) + "; it must be between 1 and " +
                std::to_string(s_max + 1));
  }
  for (int w : weights) {
    if (w < 1) throw Error("bracket weight is " + std::to_string(w) + "; it must be >= 1");
  }
  spec_.bracket = 0;
  reset();
}

void HyperbandScheduler::reset() {
  brackets_.clear();
  for (int s = 0; s < bracket_count_; ++s) {
    LadderSpec bracket_spec = spec_;
    bracket_spec.bracket = s;
    brackets_.emplace_back(bracket_spec, direction_, promotion_);
  }
}

std::unique_ptr<Scheduler> HyperbandScheduler::from_options(const AlgorithmOptions& options,
                                                            int max_epochs, Direction direction) {
  const LadderSpec spec = read_ladder(options, max_epochs, false);
  const int s_max = max_bracket(spec.min_resource, spec.max_resource, spec.reduction_factor);
  const int count = read_int_at_least(options, "brackets", s_max + 1, 1);
  if (count > s_max + 1) {
    options.fail("brackets", "must be <= " + std::to_string(s_max + 1) +
                                 ", the brackets that fit between min_resource (" +
                                 std::to_string(spec.min_resource) + ") and max_resource (" +
                                 std::to_string(spec.max_resource) + ") with reduction_factor " +
                                 std::to_string(spec.reduction_factor));
  }
  const std::string assignment = options.get_string("assignment", "paper");
  if (assignment != "paper" && assignment != "rotation") {
    options.fail("assignment", "must be 'paper' or 'rotation'");
  }
  const bool promotion = read_promotion_mode(options);
  const std::vector<int> weights = assignment == "paper"
                                       ? hyperband_weights(count, s_max, spec.reduction_factor)
                                       : std::vector<int>(static_cast<std::size_t>(count), 1);
  return std::make_unique<HyperbandScheduler>(spec, weights, direction, promotion);
}

int HyperbandScheduler::bracket_of(int trial_id) const {
  return sequence_[static_cast<std::size_t>(trial_id) % sequence_.size()];
}

NextAction HyperbandScheduler::next(const SchedulerView& view) {
  if (promotion_) {
    // The promotion to the highest rung first, as within one ASHA bracket; ties to the
    // more aggressive bracket.
    std::optional<AshaBracket::Promotion> best;
    int from = -1;
    for (int s = 0; s < brackets(); ++s) {
      auto p = brackets_[static_cast<std::size_t>(s)].best_promotion(view.trials);
      if (p && (!best || p->rung > best->rung)) {
        best = p;
        from = s;
      }
    }
    if (best) {
      brackets_[static_cast<std::size_t>(from)].resumed(best->trial_id);
      return resume_trial(best->trial_id, best->epochs);
    }
  }
  return start_or_wait(view, spec_.max_resource);
}

Verdict HyperbandScheduler::on_report(const TrialRecord& trial, const std::vector<TrialRecord>&) {
  return brackets_[static_cast<std::size_t>(bracket_of(trial.id))].on_report(trial);
}

void HyperbandScheduler::on_trial_end(const TrialRecord& trial) {
  brackets_[static_cast<std::size_t>(bracket_of(trial.id))].on_trial_end(trial);
}

void HyperbandScheduler::rebuild(const std::vector<TrialRecord>& trials) {
  reset();
  for (const auto& t : trials) brackets_[static_cast<std::size_t>(bracket_of(t.id))].add(t);
}

int HyperbandScheduler::rung_of(const TrialRecord& trial) const {
  return absolute_rung(last_epoch(trial), spec_.min_resource, spec_.max_resource,
                       spec_.reduction_factor);
}

}  // namespace rungs
