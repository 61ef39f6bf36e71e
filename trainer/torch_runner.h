#pragma once
/// The LibTorch implementation of TrialRunner (study/trial_runner.h): trains the MLP, CNN or
/// resnet of objective.model on Fashion-MNIST or the user's data, with the hyperparameters
/// of trainer/hyperparams.h.
/// No LibTorch in this header.
#include <memory>

#include "study/config.h"
#include "study/trial_runner.h"
#include "trainer/communicator.h"

namespace rungs {

struct TrainerSettings {
  ObjectiveConfig objective;
  int threads = 1;  ///< LibTorch intra-op and OpenBLAS threads of this process
  int cuda_device = -1;  ///< the CUDA device this rank trains on (data and models); -1: CPU
  int max_epochs = 0;    ///< budget.epochs: a trial's epochs in all (a cosine schedule's length)
  /// The ranks training each trial together (trainer/communicator.h); null: this rank
  /// alone. In a group every rank runs every trial and only rank 0 of the group writes
  /// checkpoints (all ranks read them to resume).
  std::shared_ptr<Communicator> group;
};

/// Loads the data set once (objective.train_samples / val_samples: the first N of the
/// train / validation split), onto settings.cuda_device when there is one, and keeps it
/// for every trial of this process; configures the
/// process with configure_trainer_process(settings.threads) (trainer/trainer.h). Writes
/// slow_blas_warning() to stderr when LibTorch calls the reference BLAS. Throws IoError when
/// the data cannot be read, ConfigError for an unknown dataset.
///
/// The runner's run() trains epochs [start_epoch, end_epoch) of a trial and reports each
/// one; epoch e's order and dropout derive from (seed, e), so resuming from the checkpoint
/// reproduces an uninterrupted run. It polls should_stop before every batch and then
/// returns Interrupted without saving. A checkpoint holds the weights, the optimizer state
/// and its epoch count; resuming fails the trial when that count is not start_epoch. An
/// empty `checkpoint` path means none is written (such a trial cannot be resumed).
std::unique_ptr<TrialRunner> make_torch_runner(const TrainerSettings& settings);

}  // namespace rungs
