#pragma once
/// The networks the trainer builds. Declared with a forward declaration so that this header
/// stays free of LibTorch; only trainer/*.cpp include <torch/torch.h> and call it.
#include <cstdint>
#include <vector>

#include "trainer/hyperparams.h"
#include "trainer/model_registry.h"

namespace torch {
namespace nn {
class AnyModule;
class Sequential;
}  // namespace nn
}  // namespace torch

namespace rungs {

/// The network for hp.model (mlp or cnn), mapping samples [N, sample...] to [N, outputs],
/// initialized from LibTorch's global generator (seed it first):
/// - mlp: flatten, then `layers` x (linear to `width`, activation, dropout), then linear;
/// - cnn: two blocks (3x3 conv with `channels` then 2x`channels`, activation, 2x2 max pool),
///   flatten, dropout, linear; images [C, H, W] with H, W >= 4.
/// - resnet: trainer/resnet.h; images [C, H, W] with H, W >= 8.
/// Dropout layers are left out when hp.dropout is 0.
torch::nn::Sequential make_model(const Hyperparameters& hp, const ModelShape& shape = {});

/// The network of the registered model hp.model (built-in or the user's) from its factory,
/// given hp.model_params(). Throws ConfigError for a model that is not registered.
torch::nn::AnyModule make_network(const Hyperparameters& hp, const ModelShape& shape);

}  // namespace rungs
