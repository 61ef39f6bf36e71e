#pragma once
/// Names of a trial's checkpoint files. A trial's TrialAssignment::checkpoint is a path
/// stem ("runs/x/checkpoints/trial_7"); the weights after E epochs are in one file of their
/// own, checkpoint_file(stem, E) = "STEM.e<E>.h5", so that a file the coordinator has not
/// recorded yet never replaces one it has. Used by the worker (writes, prunes), the
/// coordinator and `rungs best` (name the file of a recorded epoch).
#include <optional>
#include <string>

namespace rungs {

/// "STEM.e<epochs>.h5": the checkpoint of `stem` after `epochs` epochs (>= 1).
std::string checkpoint_file(const std::string& stem, int epochs);

/// "STEM.e<epochs>": the folder a trial of the user's own program commits its checkpoint
/// in after `epochs` epochs (command/command_runner.h).
std::string checkpoint_folder(const std::string& stem, int epochs);

/// The epoch E when `file_name` (a name without folder) is checkpoint_file(basename of
/// `stem`, E) or checkpoint_folder(basename of `stem`, E); nullopt for any other name
/// (other trials, temporaries ending in ".tmp").
std::optional<int> checkpoint_epoch_of(const std::string& stem, const std::string& file_name);

}  // namespace rungs
