#include "mpi_driver/worker.h"

#include <unistd.h>

#include <exception>

#include "mpi_driver/protocol.h"
#include "study/errors.h"
#include "study/fault.h"

namespace rungs {

namespace {
constexpr int kCoordinator = 0;
}

WorkerLoop::WorkerLoop(Transport& transport,
                       std::function<std::unique_ptr<TrialRunner>()> make_runner)
    : transport_(transport), make_runner_(std::move(make_runner)) {}

std::optional<protocol::Message> WorkerLoop::receive_from_coordinator(
    std::chrono::milliseconds timeout) {
  auto envelope = transport_.receive(timeout);
  if (!envelope) return std::nullopt;
  if (envelope->source != kCoordinator) {
    throw MpiError("worker got a message from rank " + std::to_string(envelope->source));
  }
  return protocol::decode(envelope->bytes);
}

protocol::Message WorkerLoop::next_message() {
  for (;;) {
    if (auto message = receive_from_coordinator(std::chrono::milliseconds{60000})) {
      return std::move(*message);
    }
  }
}

bool WorkerLoop::note_interrupt(const protocol::Message& message) {
  if (std::holds_alternative<protocol::Interrupt>(message)) {
    interrupted_ = true;
    return true;
  }
  if (std::holds_alternative<protocol::Shutdown>(message)) {
    interrupted_ = shutdown_ = true;
    return true;
  }
  return false;
}

bool WorkerLoop::should_stop() {
  if (interrupted_) return true;
  const auto message = receive_from_coordinator(std::chrono::milliseconds{0});
  if (!message) return false;
  if (!note_interrupt(*message)) {
    throw MpiError(std::string("worker got ") + protocol::to_string(protocol::kind_of(*message)) +
                   " while training");
  }
  return true;
}

Verdict WorkerLoop::report_epoch(const TrialAssignment& trial, const EpochResult& result) {
  transport_.send(kCoordinator, protocol::encode(protocol::EpochReport{trial.trial_id, result}));
  if (result.epoch >= trial.end_epoch) return Verdict::Continue;  // the runner ends here anyway
  for (;;) {
    const protocol::Message answer = next_message();
    if (note_interrupt(answer)) {
      if (shutdown_) return Verdict::Stop;
      continue;  // the decision on this epoch is still on its way
    }
    auto* decision = std::get_if<protocol::Decision>(&answer);
    if (!decision || decision->trial_id != trial.trial_id) {
      throw MpiError(std::string("worker expected a decision on trial ") +
                     std::to_string(trial.trial_id) + ", got " +
                     protocol::to_string(protocol::kind_of(answer)));
    }
    return interrupted_ ? Verdict::Stop : decision->verdict;
  }
}

void WorkerLoop::run_trial(TrialRunner& runner, const TrialAssignment& trial) {
  interrupted_ = false;
  // A protocol failure inside a callback must end the worker, not become the trial's
  // failure: keep it aside, stop the trial, and rethrow.
  std::exception_ptr protocol_error;
  TrialOutcome outcome = runner.run(
      trial,
      [&](const EpochResult& result) {
        try {
          return report_epoch(trial, result);
        } catch (...) {
          protocol_error = std::current_exception();
          return Verdict::Stop;
        }
      },
      [&] {
        try {
          return should_stop();
        } catch (...) {
          protocol_error = std::current_exception();
          return true;
        }
      });
  if (protocol_error) std::rethrow_exception(protocol_error);
  if (shutdown_) return;
  // Stopped on our own account because of an interrupt: the trial is not over.
  if (interrupted_ && outcome.kind != TrialOutcome::Kind::Failed &&
      outcome.kind != TrialOutcome::Kind::Halted) {
    outcome = {TrialOutcome::Kind::Interrupted, ""};
  }
  transport_.send(kCoordinator, protocol::encode(protocol::TrialEnd{trial.trial_id, outcome}));
  transport_.send(kCoordinator, protocol::encode(protocol::Ready{}));
}

void WorkerLoop::run() {
  std::unique_ptr<TrialRunner> runner;
  try {
    runner = make_runner_();
    transport_.send(kCoordinator, protocol::encode(protocol::Ready{}));
  } catch (const std::exception& e) {
    transport_.send(kCoordinator, protocol::encode(protocol::Fatal{e.what()}));
  }

  while (!shutdown_) {
    const protocol::Message message = next_message();
    if (std::holds_alternative<protocol::Shutdown>(message)) return;
    if (std::holds_alternative<protocol::Interrupt>(message)) continue;  // came after its trial
    if (!runner) continue;  // told the coordinator we cannot work; wait for shutdown
    if (auto* assign = std::get_if<protocol::Assign>(&message)) {
      if (fault::fails("worker.assign")) throw MpiError("injected worker failure");
      if (fault::fails("worker.hang")) for (;;) ::pause();  // a worker that never answers
      run_trial(*runner, assign->trial);
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
