#pragma once
/// The built-in small ResNet (`model: resnet`) for images [C, H, W] with H, W >= 8: a 3x3
/// stem conv to `width` channels with batch norm and the activation, then `stages` stages of
/// `blocks` basic residual blocks (two 3x3 convs with batch norm, the input added back
/// through a 1x1 conv with batch norm where the shape changes), widths width, 2 width,
/// 4 width, ..., stride 2 at the start of every stage after the first, global average pool,
/// dropout (when hp.dropout > 0), linear. Its spec list is here too; the header is free of
/// LibTorch (the factory is defined in resnet.cpp, the specs in resnet_spec.cpp).
#include <vector>

#include "trainer/hyperparams.h"

namespace torch {
namespace nn {
class Sequential;
}  // namespace nn
}  // namespace torch

namespace rungs {

struct ModelShape;

/// resnet's own hyperparameters: stages (1-6, default 3), blocks (1-16, default 1), width
/// (1-1024, default 16). hyperparams.cpp adds the optimizer's and the training options.
std::vector<HyperparameterSpec> resnet_hyperparameters();

/// The network for `hp` on `shape` (images of at least 8x8 pixels), initialized from
/// LibTorch's global generator. ConfigError when the shape is not such an image.
torch::nn::Sequential make_resnet(const Hyperparameters& hp, const ModelShape& shape);

}  // namespace rungs
