#pragma once
/// The LibTorch side of the Communicator (trainer/communicator.h), used by trainer.cpp
/// only: packs gradients into one flat contiguous buffer (one allreduce per step however
/// many small parameters the model has) and unpacks the averaged result. Works on any
/// device: the buffer lives where the parameters do, which must be communicator.memory().
#include <torch/torch.h>

#include <vector>

#include "trainer/communicator.h"

namespace rungs {

class GradientAverager {
 public:
  explicit GradientAverager(std::vector<torch::Tensor> parameters);

  /// Replaces every parameter's gradient by sum over ranks of weight_r * gradient_r (a
  /// missing gradient counts as zeros), so that with weight_r = (rows of rank r) / (rows of
  /// the global batch) and per-rank mean losses the result is the gradient of the mean loss
  /// over the global batch. `loss_sum` (this rank's loss times its rows) rides in the same
  /// buffer and comes back summed over the group. Collective.
  void average(Communicator& communicator, double weight, float& loss_sum);

 private:
  std::vector<torch::Tensor> parameters_;
  torch::Tensor flat_;  ///< every gradient, then the loss sum
};

/// Sums `count` host doubles over the group, whatever memory() the communicator uses.
void allreduce_host(Communicator& communicator, double* values, std::int64_t count);

}  // namespace rungs
