#pragma once
/// Converts a trial's model and optimizer to and from the torch-free CheckpointData that
/// io/checkpoint_file.h writes: parameters and buffers as "model/<name>" (LibTorch's
/// named_parameters names), optimizer state as "optimizer/<state>/<parameter name>" with
/// <state> exp_avg, exp_avg_sq (adam, adamw) or momentum_buffer (sgd with momentum).
/// Forward declarations keep LibTorch out of this header.
#include <string>

#include "io/checkpoint_file.h"
#include "trainer/hyperparams.h"

namespace torch::nn {
class Module;
}  // namespace torch::nn

namespace rungs {

class Optimizer;

/// The weights and optimizer state; epoch, trial_id and seed are left for the caller.
CheckpointData capture_checkpoint(const torch::nn::Module& model, const Optimizer& optimizer,
                                  const Hyperparameters& hp);

/// Copies `data` (read from `file`) into the model and optimizer built for `hp`. TrialError
/// naming `file` when an array is missing, extra or of another shape, or the optimizer differs.
void restore_checkpoint(const CheckpointData& data, const std::string& file,
                        torch::nn::Module& model, Optimizer& optimizer, const Hyperparameters& hp);

}  // namespace rungs
