#pragma once
/// The networks the trainer builds. Declared with a forward declaration so that this header
/// stays free of LibTorch; only trainer/*.cpp include <torch/torch.h> and call it.
#include <cstdint>
#include <vector>

#include "trainer/hyperparams.h"

namespace torch {
namespace nn {
class Sequential;
}  // namespace nn
}  // namespace torch

namespace rungs {

constexpr int kImageSide = 28;
constexpr int kClasses = 10;

/// What the network maps from and to: one sample's shape (features [D] or images [C, H, W])
/// and the number of outputs. The default: Fashion-MNIST.
struct ModelShape {
  std::vector<std::int64_t> sample{1, kImageSide, kImageSide};
  std::int64_t outputs = kClasses;
  std::int64_t features() const;  ///< the product of `sample`
};

/// The network for hp.model, mapping samples [N, sample...] to [N, outputs], initialized
/// from LibTorch's global generator (seed it first):
/// - mlp: flatten, then `layers` x (linear to `width`, activation, dropout), then linear;
/// - cnn: two blocks (3x3 conv with `channels` then 2x`channels`, activation, 2x2 max pool),
///   flatten, dropout, linear; images [C, H, W] with H, W >= 4.
/// - resnet: trainer/resnet.h; images [C, H, W] with H, W >= 8.
/// Dropout layers are left out when hp.dropout is 0.
torch::nn::Sequential make_model(const Hyperparameters& hp, const ModelShape& shape = {});

}  // namespace rungs
