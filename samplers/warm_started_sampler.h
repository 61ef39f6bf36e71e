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

#include "samplers/sampler.h"

namespace rungs {

class WarmStartedSampler final : public Sampler {
 public:
  /// `prior`: finished trials with ids < 0, their parameters within this study's space.
  WarmStartedSampler(std::unique_ptr<Sampler> inner, std::vector<TrialRecord> prior);

  std::optional<Params> suggest(int trial_id, const std::vector<TrialRecord>& trials) override;
  void on_report(const TrialRecord& trial) override { inner_->on_report(trial); }
  void on_trial_end(const TrialRecord& trial) override { inner_->on_trial_end(trial); }
  std::string save_state() const override { return inner_->save_state(); }
  void load_state(const std::string& state) override { inner_->load_state(state); }

 private:
  void sync(const std::vector<TrialRecord>& trials);

  std::unique_ptr<Sampler> inner_;
  std::size_t prior_size_;
  std::vector<TrialRecord> history_;  ///< the prior, then copies of this study's trials
};

}  // namespace rungs
