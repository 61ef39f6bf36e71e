#pragma once
/// Small helpers for the answers every scheduler gives.
#include "schedulers/scheduler.h"

namespace rungs {

inline NextAction start_trial(int epochs) { return {NextAction::Kind::StartTrial, -1, epochs}; }
inline NextAction resume_trial(int trial_id, int epochs) {
  return {NextAction::Kind::ResumeTrial, trial_id, epochs};
}

/// Nothing to start or resume: wait while trials run (their results may change the answer),
/// finish once none does.
inline NextAction wait_or_finish(const SchedulerView& view) {
  return {view.running > 0 ? NextAction::Kind::Wait : NextAction::Kind::Finish, -1, 0};
}

/// A new trial of `epochs` epochs when the budget allows, else wait_or_finish.
inline NextAction start_or_wait(const SchedulerView& view, int epochs) {
  return view.can_start_new ? start_trial(epochs) : wait_or_finish(view);
}

}  // namespace rungs
