#pragma once
/// The contract between a worker rank and whatever trains a trial. The MPI worker loop
/// (mpi_driver/) calls it; trainer/ implements it with LibTorch; tests implement it with
/// synthetic curves. One runner per worker process, used from one thread; it may keep the
/// dataset loaded between trials.
#include <cstdint>
#include <functional>
#include <string>
#include <tuple>
#include <type_traits>

#include "study/param.h"
#include "study/snapshot.h"
#include "study/trial.h"

namespace rungs {

struct TrialAssignment {
  int trial_id = 0;
  Params params;            ///< fixed hyperparameters merged with the sampled ones
  std::uint64_t seed = 0;   ///< everything random in the trial derives from it
  int start_epoch = 0;      ///< epochs already trained (resume from checkpoint when > 0)
  int end_epoch = 0;        ///< train until this many epochs in all
  std::string checkpoint;   ///< path stem of the trial's checkpoints (study/checkpoint_path.h)
  int checkpoint_every = 1; ///< also checkpoint after every N-th epoch (0: only at the end)
};
/// Every member of TrialAssignment, in order (study/wire.h).
template <typename T, std::enable_if_t<std::is_same_v<std::decay_t<T>, TrialAssignment>, int> = 0>
auto fields(T& t) {
  auto& [trial_id, params, seed, start_epoch, end_epoch, checkpoint, checkpoint_every] = t;
  return std::tie(trial_id, params, seed, start_epoch, end_epoch, checkpoint, checkpoint_every);
}

/// Called after every epoch; the answer says whether to go on.
using EpochCallback = std::function<Verdict(const EpochResult&)>;
/// Polled between batches (cheap); true asks the runner to return Interrupted at once.
using InterruptCheck = std::function<bool()>;

struct TrialOutcome {
  /// Interrupted: should_stop() said so at a batch boundary; the epoch in progress is
  /// dropped and the trial resumes later from its last checkpoint.
  /// Halted: the trial cannot go on for a reason outside it (StorageError: its checkpoint
  /// could not be written or read because the storage is full, over quota or failing); it
  /// resumes later from its last recorded checkpoint, and the study stops (exit 75).
  enum class Kind { Finished, Stopped, Paused, Failed, Interrupted, Halted };
  Kind kind = Kind::Finished;
  std::string reason;  ///< for Failed and Halted: what went wrong, one line
};
/// The outcome kind a wire byte names; false when the byte names none.
inline bool from_byte(std::uint8_t byte, TrialOutcome::Kind& kind) {
  if (byte > static_cast<std::uint8_t>(TrialOutcome::Kind::Halted)) return false;
  kind = static_cast<TrialOutcome::Kind>(byte);
  return true;
}
/// Every member of TrialOutcome, in order (study/wire.h).
template <typename T, std::enable_if_t<std::is_same_v<std::decay_t<T>, TrialOutcome>, int> = 0>
auto fields(T& o) {
  auto& [kind, reason] = o;
  return std::tie(kind, reason);
}

class TrialRunner {
 public:
  virtual ~TrialRunner() = default;
  /// Trains epochs [start_epoch, end_epoch), resuming from `checkpoint` when start_epoch > 0.
  /// Never throws for a trial's own failure (exception, NaN loss): that is returned as
  /// Failed with the reason; a StorageError is returned as Halted with the reason. Writes the weights to checkpoint_file(checkpoint, epoch) after every
  /// checkpoint_every-th epoch, setting EpochResult::checkpointed, and when it ends
  /// Finished, Stopped or Paused. Polls `should_stop` between batches.
  virtual TrialOutcome run(const TrialAssignment& trial, const EpochCallback& on_epoch,
                           const InterruptCheck& should_stop) = 0;
  /// Loads checkpoint_file(trial.checkpoint, trial.start_epoch) and measures it on the
  /// held-out test set.
  virtual TestResult evaluate_test(const TrialAssignment& trial) = 0;
};

}  // namespace rungs
