#include "mpi_driver/clone_checkpoint.h"

#include <ostream>

#include "io/checkpoint_file.h"
#include "study/checkpoint_path.h"
#include "study/errors.h"

namespace rungs {

void clone_checkpoint(const std::string& checkpoints, const TrialRecord& trial, const TrialRecord& donor,
                      int donor_epoch, std::ostream& log) {
  const auto stem = [&](int id) { return checkpoints + "/trial_" + std::to_string(id); };
  const std::string from = checkpoint_file(stem(donor.id), donor_epoch);
  const std::string to = checkpoint_file(stem(trial.id), trial.epochs_run());
  try {
    CheckpointData data = read_checkpoint(from);
    data.epoch = trial.epochs_run();
    data.trial_id = trial.id;
    data.seed = trial.seed;
    write_checkpoint(to, data);
  } catch (const IoError& e) {
    log << "rungs: trial " << trial.id << " goes on from its own checkpoint, not trial " << donor.id
        << "'s: " << e.what() << std::endl;
  }
}

}  // namespace rungs
