#pragma once
/// A worker rank's loop: ask the coordinator for work, run each assigned trial with the
/// TrialRunner, report every epoch and obey the verdict, until told to shut down. An
/// Interrupt from the coordinator (the job is stopping) ends the trial at the next batch
/// boundary as Interrupted; the coordinator restarts it later from its checkpoint.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "mpi_driver/protocol.h"
#include "mpi_driver/transport.h"
#include "study/trial_runner.h"

namespace rungs {

class WorkerLoop {
 public:
  /// `make_runner` is called once, at the start (it may load a dataset). If it throws, the
  /// worker tells the coordinator why (Fatal) and waits to be shut down.
  WorkerLoop(Transport& transport, std::function<std::unique_ptr<TrialRunner>()> make_runner);
  void run();

 private:
  void run_trial(TrialRunner& runner, const TrialAssignment& trial);
  Verdict report_epoch(const TrialAssignment& trial, const EpochResult& result);
  /// Polled by the runner between batches: has the coordinator interrupted the trial?
  bool should_stop();
  /// Notes an Interrupt or Shutdown; false for any other message.
  bool note_interrupt(const protocol::Message& message);
  /// The next message from the coordinator, however long it takes.
  protocol::Message next_message();
  /// A message from the coordinator within `timeout`, or nullopt.
  std::optional<protocol::Message> receive_from_coordinator(std::chrono::milliseconds timeout);

  Transport& transport_;
  std::function<std::unique_ptr<TrialRunner>()> make_runner_;
  bool interrupted_ = false;  ///< the current trial was interrupted
  bool shutdown_ = false;     ///< told to shut down while a trial ran
};

}  // namespace rungs
