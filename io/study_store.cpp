#include "io/study_store.h"

#include <filesystem>

#include "io/study_journal.h"
#include "study/errors.h"
#include "study/fault.h"

namespace rungs {

StudyStore::StudyStore(const std::string& study_file, std::ostream& log) : path_(study_file) {
  const bool exists = std::filesystem::exists(path_);
  if (exists) existing_ = read_study_file(path_);
  journal_.emplace(path_ + ".journal");
  if (journal_->truncated_bytes() > 0) {
    log << "rungs: warning: " << journal_->path() << ": cut off " << journal_->truncated_bytes()
        << " bytes of a torn or zeroed tail (the last run was cut short); the "
        << journal_->recovered().size() << " records before it are kept" << std::endl;
  }
  if (!exists) {
    // Without a snapshot the journal's records have no base: a study starts with its first
    // snapshot, so such records belong to a study file someone removed.
    journal_->reset();
    return;
  }
  try {
    journal::replay(journal_->recovered(), existing_->trials);
  } catch (const IoError& e) {
    throw IoError(journal_->path() + ": " + e.what());
  }
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
