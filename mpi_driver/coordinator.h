#pragma once
/// The coordinator: rank 0's loop. It owns the trial records, asks the scheduler what each
/// idle worker does next and the sampler what to try, and answers every epoch report with
/// the scheduler's verdict. Every change goes to the StudyRecorder and is committed before
/// the workers it concerns hear of it (write-ahead): a dispatch is durable before the worker
/// starts, a result before the worker is told to go on. At the end one worker measures the
/// best trial on the test set. On a stop request (preemption) it stops dispatching, has
/// every worker interrupt its trial, records the state and returns Interrupted.
/// It knows nothing of MPI or HDF5: bytes go through a Transport, records to the recorder.
#include <chrono>
#include <deque>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "mpi_driver/protocol.h"
#include "mpi_driver/transport.h"
#include "samplers/sampler.h"
#include "schedulers/lifecycle.h"
#include "schedulers/scheduler.h"
#include "study/config.h"
#include "study/recorder.h"
#include "study/snapshot.h"

namespace rungs {

struct CoordinatorOptions {
  std::chrono::milliseconds flush_interval{5000};    ///< most frequent snapshot (study.h5)
  std::chrono::milliseconds summary_interval{30000}; ///< periodic progress line
  int max_attempts = 3;  ///< lost runs of a trial (TrialRecord::lost) before it fails
  std::chrono::milliseconds grace{60000};  ///< longest wait for interrupted workers
  /// Longest wait for a running trial's next report or a test result; past it the worker
  /// is taken for hung and the study stops (halt_reason). Zero: wait forever.
  std::chrono::milliseconds report_timeout{std::chrono::hours(4)};
  /// Whether the best trial is measured on the test set at the end (built-in models).
  bool evaluate_test = true;
  /// How many stop signals arrived (none when empty). The first starts a drain; a second
  /// cuts the wait for the workers short.
  std::function<int()> stop_requests;
  /// Stopped trials whose checkpoints are kept: the best K by value; the others' are
  /// handed to `discard_checkpoints` (none when empty).
  int keep_stopped_checkpoints = 5;
  std::string slurm_job_id;  ///< recorded in study.h5 for `rungs status`
  /// When set: at this moment the study stops as if a stop signal had come (saved, exit 75),
  /// with `stop_at_reason` in the log (preemption.before_limit_seconds).
  std::optional<std::chrono::steady_clock::time_point> stop_at;
  std::string stop_at_reason;
  std::function<void(const TrialRecord&)> discard_checkpoints;
  /// Before a trial resumes with a segment cloned from `donor` (PBT): makes the trial's
  /// checkpoint at its epochs run a copy of the donor's at `donor_epoch` (none when empty).
  std::function<void(const TrialRecord& trial, const TrialRecord& donor, int donor_epoch)> clone_checkpoint;
};

/// What the study was, for resuming: its trials (curves included) and its time so far.
struct ResumeState {
  std::vector<TrialRecord> trials;
  double elapsed = 0.0;
  double start_time = 0.0;
  std::optional<TestResult> test;
};

enum class StudyEnd {
  Finished,     ///< the budget is spent and the best trial evaluated
  Interrupted,  ///< stopped by a signal; run again to resume
};

class Coordinator {
 public:
  Coordinator(const StudyConfig& config, Sampler& sampler, Scheduler& scheduler,
              Transport& transport, StudyRecorder& recorder, std::ostream& log,
              CoordinatorOptions options = {});

  /// Continues a study from its records: finished and paused trials stay; trials that were
  /// running restart from their last checkpoint (epochs past it are dropped) or fail when
  /// max_attempts of their runs were lost. Call before run(); rebuilds the scheduler.
  void resume(ResumeState state);

  /// Runs the study until it ends or is interrupted, then shuts every worker down. Throws
  /// rungs::Error when a worker cannot work at all (after saving what was recorded). A
  /// StorageError, here or under a worker, ends it Interrupted with halt_reason().
  StudyEnd run();

  const std::vector<TrialRecord>& trials() const { return trials_; }
  /// Why run() returned Interrupted without a stop signal: the storage failed (a full disk,
  /// a quota) on rank 0 or under a worker's checkpoint, or a worker sent no report within
  /// report_timeout. Empty otherwise.
  const std::string& halt_reason() const { return halt_reason_; }
  /// Whether a worker did not answer in time (a report past report_timeout, an interrupt
  /// past grace): MPI cannot be finalized with it, the job must be aborted.
  bool unresponsive_workers() const { return unresponsive_; }
  const std::optional<TestResult>& test() const { return test_; }

 private:
  using Clock = std::chrono::steady_clock;

  StudyEnd run_until_end();
  /// Stops the study for `reason` (a StorageError, a hung worker): drains and saves.
  void halt(const std::string& reason);
  void dispatch();
  bool dispatch_orphan(int worker);
  /// Notes, once, that budget.seconds or budget.epochs_total is spent (dispatch_.budget_spent).
  void check_budget();
  void handle(const Envelope& envelope);
  void on_epoch(int worker, const protocol::EpochReport& report);
  void on_trial_end(int worker, const protocol::TrialEnd& end);
  void assign(int worker, TrialRecord& trial, int start_epoch, int end_epoch);
  void finish_trial(TrialRecord& trial);
  /// Discards the checkpoints of stopped trials beyond the best keep_stopped_checkpoints.
  void prune_stopped_checkpoints();
  void begin_drain();
  bool drained() const;
  void evaluate_best();
  void shutdown_workers();
  void periodic();
  /// Halts the study when a running trial's worker has been silent past report_timeout.
  void watch_running(Clock::time_point now);
  /// Records `trial` (journal) — durable at the next commit.
  void changed(const TrialRecord& trial);
  /// Queues a message to be sent after the next commit.
  void send_after_commit(int worker, const protocol::Message& message);
  /// Commits the recorder, then sends the queued messages.
  void commit_and_send();
  void save(const char* state);
  TrialRecord& running_trial(int id, int worker);
  TrialAssignment assignment(const TrialRecord& trial, int start_epoch, int end_epoch) const;
  /// checkpoints.fit_limit: whether an epoch expected to take `seconds` (unknown: nullopt)
  /// ends before stop_at. Always true without the option or a stop_at.
  bool fits_before_stop(std::optional<double> seconds) const;
  /// fit_limit: nothing runs and nothing that could run fits: stop for the limit now.
  void stop_for_limit();
  double elapsed() const;

  const StudyConfig& config_;
  Sampler& sampler_;
  Scheduler& scheduler_;
  Transport& transport_;
  StudyRecorder& recorder_;
  std::ostream& log_;
  CoordinatorOptions options_;

  std::vector<TrialRecord> trials_;
  std::optional<TestResult> test_;
  std::deque<int> idle_;         ///< workers waiting for work, in order of asking
  std::deque<int> orphans_;      ///< trials of an earlier run to restart first
  struct Running {
    int end_epoch = 0;        ///< end epoch of its assignment
    Clock::time_point heard;  ///< when its worker last reported (or was assigned it)
  };
  std::map<int, Running> running_;  ///< running trial id -> its assignment
  /// checkpoints.fit_limit: trials paused because their next epoch would not end before
  /// stop_at; they stay Running in the records and resume from that checkpoint next job.
  std::set<int> parked_;
  bool unresponsive_ = false;
  std::vector<int> stopped_with_checkpoint_;  ///< stopped trials whose checkpoints are kept
  std::vector<std::pair<int, wire::Bytes>> outbox_;
  std::string halt_reason_;
  bool workers_shut_down_ = false;
  lifecycle::DispatchState dispatch_;
  long epochs_recorded_ = 0;  ///< rows of every trial's curve (budget.epochs_total)
  bool finished_ = false;
  bool draining_ = false;
  bool dirty_ = false;
  double elapsed_before_ = 0.0;  ///< seconds of earlier runs of this study
  double start_time_ = 0.0;      ///< unix seconds when the study first started
  Clock::time_point started_;
  Clock::time_point drain_deadline_;
  Clock::time_point last_flush_;
  Clock::time_point last_summary_;
};

}  // namespace rungs
