#pragma once
/// The networks the trainer builds. Declared with a forward declaration so that this header
/// stays free of LibTorch; only trainer/*.cpp include <torch/torch.h> and call it.
#include "trainer/hyperparams.h"

namespace torch {
namespace nn {
class Sequential;
}  // namespace nn
}  // namespace torch

namespace rungs {

constexpr int kImageSide = 28;
constexpr int kClasses = 10;

/// The network for hp.model, mapping images [N, 1, 28, 28] to logits [N, 10], initialized
/// from LibTorch's global generator (seed it first):
/// - mlp: flatten, then `layers` x (linear to `width`, activation, dropout), then linear;
/// - cnn: two blocks (3x3 conv with `channels` then 2x`channels`, activation, 2x2 max pool),
///   flatten, dropout, linear.
/// Dropout layers are left out when hp.dropout is 0.
torch::nn::Sequential make_model(const Hyperparameters& hp);

}  // namespace rungs
