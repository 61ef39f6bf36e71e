#pragma once
/// The coordinator: rank 0's loop. It owns the trial records, asks the scheduler what each
/// idle worker does next and the sampler what to try, answers every epoch report with the
/// scheduler's verdict, hands snapshots to `persist` (study.h5) at most every
/// flush_interval, and at the end has one worker measure the best trial on the test set.
/// It knows nothing of MPI or HDF5: bytes go through a Transport, files through `persist`.
#include <chrono>
#include <deque>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <vector>

#include "mpi_driver/protocol.h"
#include "mpi_driver/transport.h"
#include "samplers/sampler.h"
#include "schedulers/scheduler.h"
#include "study/config.h"
#include "study/snapshot.h"

namespace rungs {

struct CoordinatorOptions {
  std::chrono::milliseconds flush_interval{5000};    ///< most frequent study.h5 rewrite
  std::chrono::milliseconds summary_interval{30000}; ///< periodic progress line
};

class Coordinator {
 public:
  using Persist = std::function<void(const StudySnapshot&)>;

  Coordinator(const StudyConfig& config, Sampler& sampler, Scheduler& scheduler,
              Transport& transport, Persist persist, std::ostream& log,
              CoordinatorOptions options = {});

  /// Runs the study to its end, then shuts every worker down. Throws rungs::Error when a
  /// worker cannot work at all (after saving what was recorded).
  void run();

  const std::vector<TrialRecord>& trials() const { return trials_; }
  const std::optional<TestResult>& test() const { return test_; }

 private:
  using Clock = std::chrono::steady_clock;

  void dispatch();
  void handle(const Envelope& envelope);
  void on_epoch(int worker, const protocol::EpochReport& report);
  void on_trial_end(int worker, const protocol::TrialEnd& end);
  void assign(int worker, TrialRecord& trial, int start_epoch, int end_epoch);
  void evaluate_best();
  void shutdown_workers();
  void periodic();
  void save(const char* state);
  TrialRecord& trial(int id, int worker);
  TrialAssignment assignment(const TrialRecord& trial, int start_epoch, int end_epoch) const;
  double elapsed() const;

  const StudyConfig& config_;
  Sampler& sampler_;
  Scheduler& scheduler_;
  Transport& transport_;
  Persist persist_;
  std::ostream& log_;
  CoordinatorOptions options_;

  std::vector<TrialRecord> trials_;
  std::optional<TestResult> test_;
  std::deque<int> idle_;               ///< workers waiting for work, in order of asking
  std::map<int, int> end_epoch_;       ///< running trial -> end epoch of its assignment
  bool sampler_exhausted_ = false;
  bool finished_ = false;
  bool dirty_ = false;
  double start_time_ = 0.0;            ///< unix seconds
  Clock::time_point started_;
  Clock::time_point last_flush_;
  Clock::time_point last_summary_;
};

}  // namespace rungs
