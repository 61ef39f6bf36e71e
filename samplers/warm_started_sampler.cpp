#include "samplers/warm_started_sampler.h"

#include <utility>

namespace rungs {

WarmStartedSampler::WarmStartedSampler(std::unique_ptr<Sampler> inner, std::vector<TrialRecord> prior)
    : ForwardingSampler(std::move(inner)), prior_size_(prior.size()), history_(std::move(prior)) {}

void WarmStartedSampler::sync(const std::vector<TrialRecord>& trials) {
  const std::size_t known = history_.size() - prior_size_;
  if (trials.size() < known) history_.resize(prior_size_);  // not the study it saw: start over
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const std::size_t j = prior_size_ + i;
    if (j == history_.size()) {
      history_.push_back(trials[i]);
    } else if (!is_finished(history_[j].status) || history_[j].id != trials[i].id) {
      history_[j] = trials[i];
    }
  }
}

std::optional<Params> WarmStartedSampler::suggest(int trial_id, const std::vector<TrialRecord>& trials) {
  sync(trials);
  return inner().suggest(trial_id, history_);
}

}  // namespace rungs
