#pragma once
/// Where a trial's weights came from, through the clones of its segments (PBT,
/// schedulers/pbt.h): what `rungs best` prints.
#include <string>
#include <vector>

#include "study/trial.h"

namespace rungs {

/// One step back: the weights at the start of a segment of `trial_id` were those of
/// `from_trial` after `from_epoch` epochs.
struct LineageStep {
  int trial_id = -1;
  int start_epoch = 0;
  int from_trial = -1;
  int from_epoch = 0;
};

/// The clones behind the weights of trial `id` at its epochs run, latest first: its last
/// cloned segment, then the cloned segment of the donor that covers the donor's epoch, and
/// so on until a trial trained from scratch. Empty for a trial that never cloned. Trials
/// are found by id; a chain that names a missing trial or loops ends there.
std::vector<LineageStep> lineage(const std::vector<TrialRecord>& trials, int id);

/// "trial 7 <- trial 3 at epoch 6 <- trial 1 at epoch 2", or "trial 7" without clones.
std::string describe_lineage(int id, const std::vector<LineageStep>& steps);

}  // namespace rungs
