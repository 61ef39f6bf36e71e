#pragma once
/// The records of the study journal (io/journal.h frames them): a trial's state changed, or
/// a trial reported an epoch. Replaying them in order onto the trials of the last snapshot
/// gives the state at the last record. Replay is idempotent — every record sets, never adds —
/// so replaying records the snapshot already holds (a kill between writing the snapshot and
/// emptying the journal) changes nothing.
#include <vector>

#include "study/trial.h"
#include "study/wire.h"

namespace rungs::journal {

/// All of a trial but its curve, plus how many epochs of the curve stand (fewer than before
/// when a resumed trial dropped epochs past its checkpoint).
wire::Bytes trial_record(const TrialRecord& trial);
/// Epoch `result.epoch` of trial `trial_id`.
wire::Bytes epoch_record(int trial_id, const EpochResult& result);

/// Applies `records` in order to `trials` (indexed by id). Throws IoError for a record that
/// does not decode or refers to a trial that does not exist.
void replay(const std::vector<wire::Bytes>& records, std::vector<TrialRecord>& trials);

}  // namespace rungs::journal
