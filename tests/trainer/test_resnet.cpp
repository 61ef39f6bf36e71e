#include <gtest/gtest.h>
#include <torch/torch.h>

#include "study/errors.h"
#include "trainer/models.h"
#include "trainer/resnet.h"

namespace rungs {
namespace {

Hyperparameters resnet(int stages, int blocks, int width) {
  Hyperparameters hp = Hyperparameters::from_params("resnet", {});
  hp.stages = stages;
  hp.blocks = blocks;
  hp.width = width;
  return hp;
}

std::int64_t count(const torch::nn::Module& net, const char* kind) {
  std::int64_t n = 0;
  for (const auto& m : net.modules(false)) n += m->name() == kind;
  return n;
}

TEST(Resnet, MapsImagesToOneOutputPerClass) {
  ModelShape shape;
  shape.sample = {3, 32, 32};
  shape.outputs = 10;
  torch::manual_seed(0);
  auto net = make_model(resnet(3, 1, 16), shape);
  EXPECT_EQ(net->forward(torch::randn({5, 3, 32, 32})).sizes(), (std::vector<std::int64_t>{5, 10}));
  // The smallest image it takes, and another shape.
  shape.sample = {1, 8, 8};
  EXPECT_EQ(make_model(resnet(3, 2, 4), shape)->forward(torch::randn({2, 1, 8, 8})).size(1), 10);
  shape.sample = {2, 9, 13};
  EXPECT_EQ(make_model(resnet(2, 1, 4), shape)->forward(torch::randn({2, 2, 9, 13})).size(1), 10);
}

TEST(Resnet, HasTheStagesBlocksAndWidthsAsked) {
  ModelShape shape;
  shape.sample = {3, 32, 32};
  auto net = make_model(resnet(3, 2, 8), shape);
  // A stem conv, two per block, and a 1x1 projection at the start of stages 2 and 3.
  EXPECT_EQ(count(*net, "torch::nn::Conv2dImpl"), 1 + 3 * 2 * 2 + 2);
  EXPECT_EQ(count(*net, "torch::nn::BatchNorm2dImpl"), 1 + 3 * 2 * 2 + 2);
  // The last stage has 4 x width channels: the linear layer's inputs.
  const auto params = net->named_parameters();
  const torch::Tensor& last = params[params.size() - 2].value();  // the linear weight
  EXPECT_EQ(last.sizes(), (std::vector<std::int64_t>{10, 32}));
  // Batch norm keeps running statistics: buffers a checkpoint saves.
  EXPECT_FALSE(net->buffers().empty());
}

TEST(Resnet, UsesTheActivationAndDropoutAsked) {
  ModelShape shape;
  shape.sample = {3, 16, 16};
  const torch::Tensor x = torch::randn({4, 3, 16, 16});
  Hyperparameters hp = resnet(2, 1, 4);
  torch::manual_seed(1);
  auto relu = make_model(hp, shape);
  hp.activation = "tanh";
  torch::manual_seed(1);
  auto tanh = make_model(hp, shape);
  relu->eval();
  tanh->eval();
  EXPECT_FALSE(relu->forward(x).allclose(tanh->forward(x)));
  EXPECT_EQ(count(*relu, "torch::nn::DropoutImpl"), 0);
  hp.dropout = 0.3;
  EXPECT_EQ(count(*make_model(hp, shape), "torch::nn::DropoutImpl"), 1);
}

TEST(Resnet, RefusesImagesSmallerThan8x8AndFeatures) {
  ModelShape shape;
  shape.sample = {3, 7, 32};
  EXPECT_THROW(make_model(resnet(3, 1, 4), shape), ConfigError);
  shape.sample = {64};
  EXPECT_THROW(make_model(resnet(3, 1, 4), shape), ConfigError);
}

}  // namespace
}  // namespace rungs
