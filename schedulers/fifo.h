#pragma once
/// First in, first out: every trial runs all its epochs; no early stopping.
#include "schedulers/scheduler.h"

namespace rungs {

class FifoScheduler final : public Scheduler {
 public:
  explicit FifoScheduler(int max_epochs) : max_epochs_(max_epochs) {}
  NextAction next(const SchedulerView& view) override;
  Verdict on_report(const TrialRecord& trial, const std::vector<TrialRecord>& trials) override;

 private:
  int max_epochs_;
};

}  // namespace rungs
