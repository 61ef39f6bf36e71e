#pragma once
/// A sampler in front of another one (enqueue, warm start): it decides suggest() and passes
/// everything else to the inner sampler, whose state it saves and loads as its own.
#include <memory>
#include <utility>

#include "samplers/sampler.h"

namespace rungs {

class ForwardingSampler : public Sampler {
 public:
  explicit ForwardingSampler(std::unique_ptr<Sampler> inner) : inner_(std::move(inner)) {}

  void on_report(const TrialRecord& trial) override { inner_->on_report(trial); }
  void on_trial_end(const TrialRecord& trial) override { inner_->on_trial_end(trial); }
  std::string save_state() const override { return inner_->save_state(); }
  void load_state(const std::string& state) override { inner_->load_state(state); }

 protected:
  Sampler& inner() { return *inner_; }

 private:
  std::unique_ptr<Sampler> inner_;
};

}  // namespace rungs
