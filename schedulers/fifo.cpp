#include "schedulers/fifo.h"

namespace rungs {

NextAction FifoScheduler::next(const SchedulerView& view) {
  if (view.can_start_new) return {NextAction::Kind::StartTrial, -1, max_epochs_};
  return {view.running > 0 ? NextAction::Kind::Wait : NextAction::Kind::Finish, -1, 0};
}

Verdict FifoScheduler::on_report(const TrialRecord& trial, const std::vector<TrialRecord>&) {
  return trial.epochs_run() < trial.max_epochs ? Verdict::Continue : Verdict::Stop;
}

}  // namespace rungs
