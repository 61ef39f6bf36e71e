#pragma once
/// PBT's exploit for the built-in trainer (schedulers/pbt.h): a trial continues from a copy
/// of another trial's checkpoint.
#include <iosfwd>
#include <string>

#include "study/trial.h"

namespace rungs {

/// Writes the checkpoint of `donor` (stem `checkpoints`/trial_ID) after `donor_epoch` epochs
/// as `trial`'s after its epochs run, atomically: the same weights and optimizer state,
/// stamped with the trial's id, seed and epoch so that its resume loads it. The optimizer's
/// learning rate is not in a checkpoint: the trial trains with its new one. When the copy
/// fails (IoError), says so on `log` and leaves the trial's own checkpoint.
void clone_checkpoint(const std::string& checkpoints, const TrialRecord& trial, const TrialRecord& donor,
                      int donor_epoch, std::ostream& log);

}  // namespace rungs
