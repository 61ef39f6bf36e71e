#pragma once
/// What a model costs to use, measured for the metrics `params` and `latency_ms` that the
/// built-in trainer reports with every epoch (a study trades them against accuracy with
/// objectives:). Internal to trainer/: it includes LibTorch.
#include <torch/torch.h>

#include "trainer/trainer.h"

namespace rungs {

/// `model` (in inference mode, no autograd) on `batch`, samples on the model's device: its
/// parameter count, and the median wall time per sample, in milliseconds, of 5 forward
/// passes after 2 untimed ones (synchronised on CUDA). Leaves the model in training mode.
ModelCost measure_cost(torch::nn::AnyModule& model, const torch::Tensor& batch);

}  // namespace rungs
