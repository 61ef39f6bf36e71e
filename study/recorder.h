#pragma once
/// Where the coordinator records a study as it runs. Contract (rank 0, one thread):
/// - trial_changed() and epoch_added() record a change; it is durable only after the next
///   commit(). The coordinator commits each batch of changes BEFORE it answers the workers
///   they concern, so nothing a worker acted on is ever lost.
/// - snapshot() writes the whole state (study.h5) and may drop the changes it now holds.
/// io/study_store.h implements it on disk; tests use an in-memory one.
#include "study/snapshot.h"
#include "study/trial.h"

namespace rungs {

class StudyRecorder {
 public:
  virtual ~StudyRecorder() = default;
  virtual void trial_changed(const TrialRecord& trial) = 0;
  virtual void epoch_added(const TrialRecord& trial, const EpochResult& result) = 0;
  virtual void commit() = 0;
  virtual void snapshot(const StudySnapshot& snapshot) = 0;
};

}  // namespace rungs
