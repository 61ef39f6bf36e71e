#pragma once
/// The LibTorch side of the Communicator (trainer/communicator.h), used by trainer.cpp
/// only: packs gradients into one flat contiguous buffer (one allreduce per step however
/// many small parameters the model has) and unpacks the averaged result. Works on any
/// device: the buffer lives where the parameters do, which must be communicator.memory().
#include <torch/torch.h>

#include <vector>

#include "trainer/communicator.h"

namespace rungs {

/// What rides with the gradients in a step's allreduce and comes back summed over the group.
struct StepSums {
  float loss_sum = 0.0f;  ///< this rank's mean loss times its rows
  float failed = 0.0f;    ///< 1 when this rank's forward or backward pass failed
};

class GradientAverager {
 public:
  explicit GradientAverager(std::vector<torch::Tensor> parameters);

  /// Replaces every parameter's gradient by sum over ranks of weight_r * gradient_r (a
  /// missing gradient counts as zeros), so that with weight_r = (rows of rank r) / (rows of
  /// the global batch) and per-rank mean losses the result is the gradient of the mean loss
  /// over the global batch. `sums` ride in the same buffer. Collective: a rank whose step
  /// failed still takes part (with no gradients and sums.failed = 1), so that every rank
  /// learns of the failure instead of waiting for it forever.
  void average(Communicator& communicator, double weight, StepSums& sums);

 private:
  std::vector<torch::Tensor> parameters_;
  torch::Tensor flat_;  ///< every gradient, then the StepSums
};

/// Replaces every float tensor of `buffers` (batch norm's running statistics) by its mean
/// over the group, in one allreduce; other types (batch counts) are left as they are.
/// Collective.
void average_buffers(Communicator& communicator, const std::vector<torch::Tensor>& buffers);

/// Sums `count` host doubles over the group, whatever memory() the communicator uses.
void allreduce_host(Communicator& communicator, double* values, std::int64_t count);

}  // namespace rungs
