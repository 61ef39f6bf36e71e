#include "mpi_driver/worker.h"

#include <exception>

#include "mpi_driver/protocol.h"
#include "study/errors.h"

namespace rungs {

namespace {
constexpr int kCoordinator = 0;
}

WorkerLoop::WorkerLoop(Transport& transport,
                       std::function<std::unique_ptr<TrialRunner>()> make_runner)
    : transport_(transport), make_runner_(std::move(make_runner)) {}

wire::Bytes WorkerLoop::receive_from_coordinator() {
  for (;;) {
    auto envelope = transport_.receive(std::chrono::milliseconds{60000});
    if (!envelope) continue;
    if (envelope->source != kCoordinator) {
      throw MpiError("worker got a message from rank " + std::to_string(envelope->source));
    }
    return std::move(envelope->bytes);
  }
}

Verdict WorkerLoop::report_epoch(const TrialAssignment& trial, const EpochResult& result) {
  transport_.send(kCoordinator, protocol::encode(protocol::EpochReport{trial.trial_id, result}));
  if (result.epoch >= trial.end_epoch) return Verdict::Continue;  // the runner ends here anyway
  const protocol::Message answer = protocol::decode(receive_from_coordinator());
  if (std::holds_alternative<protocol::Shutdown>(answer)) {
    shutdown_ = true;  // the study ends now: stop this trial and leave
    return Verdict::Stop;
  }
  auto* decision = std::get_if<protocol::Decision>(&answer);
  if (!decision || decision->trial_id != trial.trial_id) {
    throw MpiError(std::string("worker expected a decision on trial ") +
                   std::to_string(trial.trial_id) + ", got " +
                   protocol::to_string(protocol::kind_of(answer)));
  }
  return decision->verdict;
}

void WorkerLoop::run() {
  std::unique_ptr<TrialRunner> runner;
  try {
    runner = make_runner_();
    transport_.send(kCoordinator, protocol::encode(protocol::Ready{}));
  } catch (const std::exception& e) {
    transport_.send(kCoordinator, protocol::encode(protocol::Fatal{e.what()}));
  }

  for (;;) {
    const protocol::Message message = protocol::decode(receive_from_coordinator());
    if (std::holds_alternative<protocol::Shutdown>(message)) return;
    if (!runner) continue;  // told the coordinator we cannot work; wait for shutdown
    if (auto* assign = std::get_if<protocol::Assign>(&message)) {
      const TrialAssignment& trial = assign->trial;
      // A protocol failure inside the callback must end the worker, not become the
      // trial's failure: keep it aside, stop the trial, and rethrow.
      std::exception_ptr protocol_error;
      const TrialOutcome outcome = runner->run(trial, [&](const EpochResult& result) {
        try {
          return report_epoch(trial, result);
        } catch (...) {
          protocol_error = std::current_exception();
          return Verdict::Stop;
        }
      });
      if (protocol_error) std::rethrow_exception(protocol_error);
      if (shutdown_) return;
      transport_.send(kCoordinator, protocol::encode(protocol::TrialEnd{trial.trial_id, outcome}));
      transport_.send(kCoordinator, protocol::encode(protocol::Ready{}));
    } else if (auto* evaluate = std::get_if<protocol::Evaluate>(&message)) {
      protocol::TestReport report;
      try {
        report.result = runner->evaluate_test(evaluate->trial);
        report.result.trial_id = evaluate->trial.trial_id;
      } catch (const std::exception& e) {
        report.error = e.what();
      }
      transport_.send(kCoordinator, protocol::encode(report));
    } else {
      throw MpiError(std::string("worker got an unexpected ") +
                     protocol::to_string(protocol::kind_of(message)));
    }
  }
}

}  // namespace rungs
