// tinynet: `depth` blocks of (conv with `kernel_size`, activation, pooling), then a linear
// layer; images [C, H, W] to the data's outputs. Its own hyperparameters (depth,
// kernel_size, pool) and the shared ones (lr, optimizer, batch_size, dropout, activation,
// ...) are checked against the study file like those of the built-in models.
#include <rungs/model.h>

#include <stdexcept>
#include <string>

namespace {

namespace nn = torch::nn;

struct TinyNetImpl : nn::Module {
  TinyNetImpl(const rungs::ModelInput& in) {
    const rungs::ModelShape& shape = in.shape();
    if (shape.sample.size() != 3) throw std::invalid_argument("tinynet needs images [C, H, W]");
    const auto kernel = std::stoll(in.get_choice("kernel_size"));
    const bool max_pool = in.get_choice("pool") == "max";
    std::int64_t channels = shape.sample[0], height = shape.sample[1], width = shape.sample[2];
    for (std::int64_t block = 0; block < in.get_int("depth"); ++block) {
      const std::int64_t out = 8 << block;
      layers->push_back(nn::Conv2d(nn::Conv2dOptions(channels, out, kernel).padding(kernel / 2)));
      layers->push_back(nn::ReLU());
      if (max_pool) layers->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
      else layers->push_back(nn::AvgPool2d(nn::AvgPool2dOptions(2)));
      channels = out;
      height /= 2;
      width /= 2;
    }
    layers->push_back(nn::Flatten());
    if (in.get_float("dropout") > 0) layers->push_back(nn::Dropout(in.get_float("dropout")));
    layers->push_back(nn::Linear(channels * height * width, shape.outputs));
    register_module("layers", layers);
  }

  torch::Tensor forward(torch::Tensor x) { return layers->forward(x); }

  nn::Sequential layers;
};
TORCH_MODULE(TinyNet);

torch::nn::AnyModule make_tinynet(const rungs::ModelInput& in) {
  return torch::nn::AnyModule(TinyNet(in));
}

}  // namespace

RUNGS_MODEL(tinynet, make_tinynet,
            rungs::int_hyperparameter("depth", 2, 1, 3),
            rungs::choice_hyperparameter("kernel_size", "3", {"3", "5"}),
            rungs::choice_hyperparameter("pool", "max", {"avg", "max"}))
