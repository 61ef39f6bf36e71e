// The MLP's linear layers through oneDNN's sgemm (RUNGS_GEMM=onednn, set for this test by
// ctest) against LibTorch's own product (torch::linear, the default path) on the same
// parameters: outputs and gradients equal within float tolerance, parameters untouched by a
// forward pass, for a one-row batch and a normal one.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <map>
#include <string>

#include "trainer/models.h"
#include "trainer/onednn_gemm.h"

namespace rungs {
namespace {

std::map<std::string, torch::Tensor> parameters(const torch::nn::Sequential& net) {
  std::map<std::string, torch::Tensor> found;
  for (const auto& p : net->named_parameters()) found[p.key()] = p.value();
  return found;
}

std::map<std::string, torch::Tensor> copies(const std::map<std::string, torch::Tensor>& params) {
  std::map<std::string, torch::Tensor> copied;
  for (const auto& [name, value] : params) copied[name] = value.detach().clone();
  return copied;
}

/// The default path by hand: flatten, linear, relu, linear (make_model's layout for one
/// hidden layer without dropout: modules 1 and 3 are the linear layers).
torch::Tensor reference_forward(const std::map<std::string, torch::Tensor>& p,
                                const torch::Tensor& images) {
  const torch::Tensor hidden =
      torch::relu(torch::linear(images.flatten(1), p.at("1.weight"), p.at("1.bias")));
  return torch::linear(hidden, p.at("3.weight"), p.at("3.bias"));
}

class OnednnGemm : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    const char* choice = std::getenv("RUNGS_GEMM");
    ASSERT_TRUE(choice && std::string(choice) == "onednn")
        << "run with RUNGS_GEMM=onednn (ctest sets it)";
    if (onednn_sgemm() == nullptr) GTEST_SKIP() << "dnnl_sgemm is not loaded with LibTorch here";
    Hyperparameters hp;
    hp.layers = 1;
    hp.width = 32;
    torch::manual_seed(7);
    net = make_model(hp);
  }

  torch::nn::Sequential net{nullptr};
};

TEST_P(OnednnGemm, ForwardMatchesTorchLinearAndLeavesParametersAlone) {
  const std::map<std::string, torch::Tensor> params = parameters(net);
  const std::map<std::string, torch::Tensor> before = copies(params);
  const torch::Tensor images = torch::rand({GetParam(), 1, kImageSide, kImageSide});

  torch::Tensor expected;
  {
    torch::NoGradGuard no_grad;
    expected = reference_forward(before, images);
  }
  for (const bool grad : {false, true}) {
    torch::AutoGradMode mode(grad);
    for (int pass = 0; pass < 3; ++pass) {  // a changed bias would show from the second pass on
      const torch::Tensor out = net->forward(images);
      ASSERT_EQ(out.sizes(), expected.sizes());
      EXPECT_TRUE(torch::allclose(out, expected, 1e-4, 1e-5))
          << "grad mode " << grad << ", pass " << pass << ": max difference "
          << (out - expected).abs().max().item<float>();
    }
    for (const auto& [name, value] : params)
      EXPECT_TRUE(torch::equal(value.detach(), before.at(name)))
          << name << " changed by a forward pass (grad mode " << grad << ")";
  }
}

TEST_P(OnednnGemm, GradientsMatchTorchLinear) {
  const std::map<std::string, torch::Tensor> params = parameters(net);
  const torch::Tensor images = torch::rand({GetParam(), 1, kImageSide, kImageSide});
  const torch::Tensor target = torch::randint(0, kClasses, {GetParam()}, torch::kLong);

  std::map<std::string, torch::Tensor> leaves;
  for (const auto& [name, value] : params)
    leaves[name] = value.detach().clone().set_requires_grad(true);
  torch::nn::functional::cross_entropy(reference_forward(leaves, images), target).backward();

  net->zero_grad();
  torch::nn::functional::cross_entropy(net->forward(images), target).backward();
  for (const auto& [name, value] : params) {
    ASSERT_TRUE(value.grad().defined()) << name;
    EXPECT_TRUE(torch::allclose(value.grad(), leaves.at(name).grad(), 1e-4, 1e-6))
        << name << ": max difference "
        << (value.grad() - leaves.at(name).grad()).abs().max().item<float>();
  }
}

std::string rows_name(const ::testing::TestParamInfo<int>& param) {
  return "rows" + std::to_string(param.param);
}

INSTANTIATE_TEST_SUITE_P(BatchRows, OnednnGemm, ::testing::Values(1, 64), rows_name);

}  // namespace
}  // namespace rungs
