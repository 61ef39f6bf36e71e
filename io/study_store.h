#pragma once
/// A study's durable state on disk, the StudyRecorder of a real run: study.h5 holds the last
/// snapshot (rewritten atomically), study.h5.journal the changes since (appended and synced
/// in batches). Opening an existing study replays the journal onto the snapshot, so every
/// committed change survives a SIGKILL at any instant. Rank 0 only; hold the StudyLock first.
#include <iostream>
#include <optional>
#include <string>

#include "io/journal.h"
#include "io/study_file.h"
#include "study/recorder.h"

namespace rungs {

class StudyStore final : public StudyRecorder {
 public:
  /// Opens the store of `study_file`. When the study exists, `existing()` is its state:
  /// the snapshot with the journal replayed; a torn or zeroed journal tail that opening cut
  /// off (the last run crashed) is a warning line on `log`. Throws IoError naming the file
  /// for a damaged study or journal.
  explicit StudyStore(const std::string& study_file, std::ostream& log = std::cerr);

  const std::optional<StoredStudy>& existing() const { return existing_; }
  const std::string& path() const { return path_; }

  void trial_changed(const TrialRecord& trial) override;
  void epoch_added(const TrialRecord& trial, const EpochResult& result) override;
  void commit() override;
  void snapshot(const StudySnapshot& snapshot) override;

 private:
  std::string path_;
  std::optional<StoredStudy> existing_;
  std::optional<Journal> journal_;
};

}  // namespace rungs
