#pragma once
/// What the study knows about one trial. Records are owned by the coordinator on rank 0;
/// samplers and schedulers read them, never modify them. A trial that ended (completed,
/// stopped, failed) is immutable.
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "study/param.h"

namespace rungs {

enum class Direction { Maximize, Minimize };
const char* to_string(Direction direction);
/// True when `a` is strictly better than `b` in `direction`. NaN is never better.
bool is_better(double a, double b, Direction direction);

enum class TrialStatus {
  Running,    ///< a worker owns it
  Paused,     ///< stopped at a rung, may be resumed (promotion-based schedulers)
  Completed,  ///< ran every epoch it was given
  Stopped,    ///< the scheduler stopped it early
  Failed,     ///< threw, or its loss became NaN; `reason` says why
};
const char* to_string(TrialStatus status);
std::optional<TrialStatus> parse_trial_status(const std::string& text);
/// Completed, Stopped or Failed.
bool is_finished(TrialStatus status);

/// A scheduler's answer to a reported epoch.
enum class Verdict {
  Continue,  ///< train the next epoch
  Stop,      ///< end the trial now (status Stopped)
  Pause,     ///< checkpoint and leave it Paused; the scheduler may resume it later
};
const char* to_string(Verdict verdict);
/// The verdict a wire byte names; false when the byte names none.
bool from_byte(std::uint8_t byte, Verdict& verdict);

/// One epoch's results. `value` is the objective's metric (what samplers and schedulers
/// compare); the other fields are recorded for the user.
struct EpochResult {
  int epoch = 0;               ///< 1-based: the number of epochs trained so far
  double value = 0.0;          ///< objective metric, e.g. val_accuracy
  double val_accuracy = 0.0;
  double val_loss = 0.0;
  double train_loss = 0.0;
  double seconds = 0.0;        ///< wall time of this epoch on the worker
  double time = 0.0;           ///< seconds since the study started, when rank 0 got it
  /// Set by the runner when the weights after this epoch are in the trial's checkpoint;
  /// travels with the report, not stored in the curve.
  bool checkpointed = false;
};
/// Every member of EpochResult, in order (study/wire.h).
template <typename T, std::enable_if_t<std::is_same_v<std::decay_t<T>, EpochResult>, int> = 0>
auto fields(T& r) {
  auto& [epoch, value, val_accuracy, val_loss, train_loss, seconds, time, checkpointed] = r;
  return std::tie(epoch, value, val_accuracy, val_loss, train_loss, seconds, time, checkpointed);
}

struct TrialRecord {
  int id = 0;
  Params params;
  TrialStatus status = TrialStatus::Running;
  std::uint64_t seed = 0;
  int max_epochs = 0;          ///< epochs the trial may run in all
  int rung = 0;                ///< highest rung reached (scheduler-defined; 0 for fifo)
  int worker = -1;             ///< rank that ran it last
  int attempts = 0;            ///< times it was dispatched to a worker (resumes included)
  /// Runs lost with their worker or the job: dispatched and never reported ended. Counted
  /// before the worker starts and taken back when it reports the end, so a run that kills
  /// its worker (or a killed job) still counts; a promotion or a clean interruption does not.
  int lost = 0;
  int checkpoint_epoch = 0;    ///< epochs covered by its last recorded checkpoint (0: none)
  double start_time = 0.0;     ///< unix seconds
  double end_time = 0.0;       ///< unix seconds; 0 while running
  std::string reason;          ///< why it failed or was stopped
  std::vector<EpochResult> curve;

  int epochs_run() const { return static_cast<int>(curve.size()); }
  std::optional<double> last_value() const;
  std::optional<double> best_value(Direction direction) const;
};

/// The best trial among those with at least one result (completed or stopped), by best
/// value; failed trials never win. nullptr when there is none.
const TrialRecord* best_trial(const std::vector<TrialRecord>& trials, Direction direction);

}  // namespace rungs
