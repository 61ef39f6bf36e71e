#pragma once
/// A sampler that also learns from the trials of an earlier study (io/warm_start.h): every
/// suggest() gives the inner sampler those trials first, then this study's, so a model-based
/// sampler (tpe, gp) starts from what the earlier study found instead of from its start-up
/// trials. Samplers that ignore the history (random, sobol, grid) are unchanged.
///
/// The combined history is kept up to date incrementally, like TpeHistory's cache: this
/// study's trials are append-only and a finished trial never changes, so each call copies
/// only new and unfinished trials.
#include <memory>
#include <vector>

#include "samplers/forwarding_sampler.h"

namespace rungs {

class WarmStartedSampler final : public ForwardingSampler {
 public:
  /// `prior`: finished trials with ids < 0, their parameters within this study's space.
  WarmStartedSampler(std::unique_ptr<Sampler> inner, std::vector<TrialRecord> prior);

  std::optional<Params> suggest(int trial_id, const std::vector<TrialRecord>& trials) override;

 private:
  void sync(const std::vector<TrialRecord>& trials);

  std::size_t prior_size_;
  std::vector<TrialRecord> history_;  ///< the prior, then copies of this study's trials
};

}  // namespace rungs
