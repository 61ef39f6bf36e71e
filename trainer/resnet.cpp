#include "trainer/resnet.h"

#include <torch/torch.h>

#include <string>

#include "study/errors.h"
#include "trainer/models.h"

namespace rungs {
namespace {

namespace nn = torch::nn;

/// The activation of `name` as a function (the names of hyperparams.cpp's list).
torch::Tensor activate(const std::string& name, const torch::Tensor& x) {
  if (name == "relu") return torch::relu(x);
  if (name == "gelu") return torch::gelu(x);
  if (name == "tanh") return torch::tanh(x);
  if (name == "leaky_relu") return torch::leaky_relu(x);
  if (name == "silu") return torch::silu(x);
  throw ConfigError("activation " + name + " is not known");
}

nn::Conv2d conv3x3(std::int64_t in, std::int64_t out, std::int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

/// Two 3x3 convs with batch norm; the input comes back through `shortcut` (a strided 1x1
/// conv with batch norm) when the block changes the width or the resolution.
class BasicBlockImpl : public nn::Module {
 public:
  BasicBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride, std::string activation)
      : activation_(std::move(activation)) {
    conv1_ = register_module("conv1", conv3x3(in, out, stride));
    bn1_ = register_module("bn1", nn::BatchNorm2d(out));
    conv2_ = register_module("conv2", conv3x3(out, out, 1));
    bn2_ = register_module("bn2", nn::BatchNorm2d(out));
    if (stride != 1 || in != out) {
      shortcut_ = register_module(
          "shortcut",
          nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)),
                         nn::BatchNorm2d(out)));
    }
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = activate(activation_, bn1_->forward(conv1_->forward(x)));
    y = bn2_->forward(conv2_->forward(y));
    return activate(activation_, y + (shortcut_ ? shortcut_->forward(x) : x));
  }

 private:
  std::string activation_;
  nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
  nn::Sequential shortcut_{nullptr};
};
TORCH_MODULE(BasicBlock);

/// The stem's batch norm and activation as one module of the Sequential.
class NormActImpl : public nn::Module {
 public:
  NormActImpl(std::int64_t channels, std::string activation) : activation_(std::move(activation)) {
    bn_ = register_module("bn", nn::BatchNorm2d(channels));
  }
  torch::Tensor forward(const torch::Tensor& x) { return activate(activation_, bn_->forward(x)); }

 private:
  std::string activation_;
  nn::BatchNorm2d bn_{nullptr};
};
TORCH_MODULE(NormAct);

}  // namespace

torch::nn::Sequential make_resnet(const Hyperparameters& hp, const ModelShape& shape) {
  if (shape.sample.size() != 3 || shape.sample[1] < 8 || shape.sample[2] < 8)
    throw ConfigError("model resnet needs images of at least 8x8 pixels");
  nn::Sequential net;
  std::int64_t channels = hp.width;
  net->push_back(conv3x3(shape.sample[0], channels, 1));
  net->push_back(NormAct(channels, hp.activation));
  for (int stage = 0; stage < hp.stages; ++stage) {
    const std::int64_t out = std::int64_t{hp.width} << stage;
    for (int block = 0; block < hp.blocks; ++block) {
      const std::int64_t stride = stage > 0 && block == 0 ? 2 : 1;
      net->push_back(BasicBlock(channels, out, stride, hp.activation));
      channels = out;
    }
  }
  net->push_back(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions(1)));
  net->push_back(nn::Flatten());
  if (hp.dropout > 0.0) net->push_back(nn::Dropout(hp.dropout));
  net->push_back(nn::Linear(channels, shape.outputs));
  return net;
}

}  // namespace rungs
