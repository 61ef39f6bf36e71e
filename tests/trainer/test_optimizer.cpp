// The trainer's optimizers take the steps of LibTorch's torch::optim (PyTorch's rules), both
// as the fused CPU loops and as the tensor operations that parameters on a GPU use.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "trainer/optimizer.h"

namespace rungs {
namespace {

struct Case {
  std::string name;
  Hyperparameters hp;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  const auto add = [&](std::string name, const char* rule, double momentum, bool nesterov,
                       double decay) {
    Hyperparameters hp;
    hp.optimizer = rule;
    hp.lr = rule == std::string("sgd") ? 0.05 : 3e-3;
    hp.momentum = momentum;
    hp.nesterov = nesterov;
    hp.weight_decay = decay;
    out.push_back({std::move(name), hp});
  };
  add("sgd", "sgd", 0.0, false, 0.0);
  add("sgd momentum, decay", "sgd", 0.9, false, 1e-2);
  add("sgd nesterov", "sgd", 0.8, true, 0.0);
  add("adam", "adam", 0.0, false, 0.0);
  add("adam l2", "adam", 0.0, false, 1e-2);
  add("adamw", "adamw", 0.0, false, 5e-2);
  return out;
}

std::unique_ptr<torch::optim::Optimizer> reference(std::vector<torch::Tensor> params,
                                                   const Hyperparameters& hp) {
  if (hp.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        params, torch::optim::SGDOptions(hp.lr)
                    .momentum(hp.momentum)
                    .nesterov(hp.nesterov)
                    .weight_decay(hp.weight_decay));
  }
  if (hp.optimizer == "adam") {
    return std::make_unique<torch::optim::Adam>(
        params, torch::optim::AdamOptions(hp.lr).weight_decay(hp.weight_decay));
  }
  return std::make_unique<torch::optim::AdamW>(
      params, torch::optim::AdamWOptions(hp.lr).weight_decay(hp.weight_decay));
}

// Five steps of the same gradients on three copies of one layer; every weight must agree.
TEST(Optimizer, FusedAndTensorOpsStepsMatchTorchOptim) {
  for (const Case& c : cases()) {
    torch::manual_seed(3);
    torch::nn::Linear fused(40, 7), ops(40, 7), ref(40, 7);
    torch::NoGradGuard no_grad;
    for (auto* layer : {&ops, &ref}) {
      (*layer)->weight.copy_(fused->weight);
      (*layer)->bias.copy_(fused->bias);
    }
    const torch::Tensor before = fused->weight.clone();
    Optimizer a(*fused, c.hp, Optimizer::Kernels::Fused);
    Optimizer b(*ops, c.hp, Optimizer::Kernels::TensorOps);
    auto r = reference(ref->parameters(), c.hp);
    for (int step = 0; step < 5; ++step) {
      for (auto* layer : {&fused, &ops, &ref}) {
        (*layer)->weight.mutable_grad() =
            torch::randn({7, 40}, at::make_generator<at::CPUGeneratorImpl>(100 + step));
        (*layer)->bias.mutable_grad() = torch::full({7}, 0.1 * (step + 1));
      }
      a.step();
      b.step();
      r->step();
    }
    for (const char* which : {"weight", "bias"}) {
      const auto get = [&](torch::nn::Linear& l) {
        return std::string(which) == "weight" ? l->weight : l->bias;
      };
      const double moved = (get(ref) - get(fused)).abs().max().item<double>();
      EXPECT_TRUE(torch::allclose(get(fused), get(ref), 1e-5, 1e-6))
          << c.name << " fused vs torch::optim, " << which << ": " << moved;
      EXPECT_TRUE(torch::allclose(get(ops), get(ref), 1e-5, 1e-6))
          << c.name << " tensor ops vs torch::optim, " << which;
    }
    EXPECT_GT((fused->weight - before).abs().max().item<double>(), 1e-3) << c.name << " moved";
    EXPECT_EQ(a.steps(), 5);
  }
}

}  // namespace
}  // namespace rungs
