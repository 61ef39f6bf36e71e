#pragma once
/// A worker rank's loop: ask the coordinator for work, run each assigned trial with the
/// TrialRunner, report every epoch and obey the verdict, until told to shut down.
#include <functional>
#include <memory>

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
  Verdict report_epoch(const TrialAssignment& trial, const EpochResult& result);
  /// The next message from the coordinator, however long it takes.
  wire::Bytes receive_from_coordinator();

  Transport& transport_;
  std::function<std::unique_ptr<TrialRunner>()> make_runner_;
  bool shutdown_ = false;  ///< told to shut down while a trial ran
};

}  // namespace rungs
