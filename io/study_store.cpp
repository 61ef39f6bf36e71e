#include "io/study_store.h"

#include <filesystem>

#include "io/study_journal.h"
#include "study/fault.h"

namespace rungs {

StudyStore::StudyStore(const std::string& study_file) : path_(study_file) {
  const bool exists = std::filesystem::exists(path_);
  if (exists) existing_ = read_study_file(path_);
  journal_.emplace(path_ + ".journal");
  if (!exists) {
    // Without a snapshot the journal's records have no base: a study starts with its first
    // snapshot, so such records belong to a study file someone removed.
    journal_->reset();
    return;
  }
  journal::replay(journal_->recovered(), existing_->trials);
}

void StudyStore::trial_changed(const TrialRecord& trial) {
  journal_->append(journal::trial_record(trial));
}

void StudyStore::epoch_added(const TrialRecord& trial, const EpochResult& result) {
  journal_->append(journal::epoch_record(trial.id, result));
}

void StudyStore::commit() {
  fault::point("journal.before_sync");
  journal_->sync();
}

void StudyStore::snapshot(const StudySnapshot& snapshot) {
  write_study_file(path_, snapshot);
  fault::point("snapshot.before_journal_reset");
  // The snapshot holds every record; a kill before this line only leaves records that
  // replay to the same state.
  journal_->reset();
}

}  // namespace rungs
