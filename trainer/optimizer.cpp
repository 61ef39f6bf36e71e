#include "trainer/optimizer.h"

#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "study/errors.h"

namespace rungs {
namespace {

enum class Rule { Sgd, Adam, AdamW };

/// Elements per task when a step is split among LibTorch's intra-op threads.
constexpr std::int64_t kGrain = 1 << 15;

struct AdamConstants {
  float step_size;  ///< lr / (1 - beta1^t)
  float beta1;
  float beta2;
  float inv_bc2_sqrt;  ///< 1 / sqrt(1 - beta2^t)
  float eps;
  float l2;     ///< Adam: weight_decay added to the gradient; AdamW: 0
  float decay;  ///< AdamW: 1 - lr * weight_decay applied to the weights; Adam: 1
};

struct SgdConstants {
  float lr;
  float l2;
  float momentum;
  bool nesterov;
};

// The kernels are compiled twice (AVX2 and baseline) and picked at load time; the source
// file is built with -fno-math-errno so that sqrt vectorizes.
__attribute__((target_clones("avx2", "default"))) void adam_kernel(
    float* __restrict__ p, const float* __restrict__ g, float* __restrict__ m,
    float* __restrict__ v, std::int64_t n, AdamConstants c) {
  for (std::int64_t i = 0; i < n; ++i) {
    const float grad = g[i] + c.l2 * p[i];
    const float mi = c.beta1 * m[i] + (1.0f - c.beta1) * grad;
    const float vi = c.beta2 * v[i] + (1.0f - c.beta2) * grad * grad;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * c.decay - c.step_size * mi / (std::sqrt(vi) * c.inv_bc2_sqrt + c.eps);
  }
}

__attribute__((target_clones("avx2", "default"))) void sgd_kernel(float* __restrict__ p,
                                                                  const float* __restrict__ g,
                                                                  float* __restrict__ buffer,
                                                                  std::int64_t n, SgdConstants c) {
  if (!buffer) {
    for (std::int64_t i = 0; i < n; ++i) p[i] -= c.lr * (g[i] + c.l2 * p[i]);
    return;
  }
  for (std::int64_t i = 0; i < n; ++i) {
    const float d = g[i] + c.l2 * p[i];
    // The buffer starts at zero, so the first step sets it to the gradient as PyTorch does.
    const float b = c.momentum * buffer[i] + d;
    buffer[i] = b;
    p[i] -= c.lr * (c.nesterov ? d + c.momentum * b : b);
  }
}

Rule parse_rule(const std::string& name) {
  if (name == "sgd") return Rule::Sgd;
  if (name == "adam") return Rule::Adam;
  if (name == "adamw") return Rule::AdamW;
  throw ConfigError("optimizer " + name + " is not known");
}

/// The fused kernels' updates as LibTorch tensor operations, for parameters off the CPU.
void adam_tensor_ops(torch::Tensor& p, const torch::Tensor& g, torch::Tensor& m, torch::Tensor& v,
                     const AdamConstants& c) {
  const torch::Tensor grad = c.l2 != 0.0f ? g.add(p, c.l2) : g;
  m.mul_(c.beta1).add_(grad, 1.0f - c.beta1);
  v.mul_(c.beta2).addcmul_(grad, grad, 1.0f - c.beta2);
  if (c.decay != 1.0f) p.mul_(c.decay);
  p.addcdiv_(m, v.sqrt().mul_(c.inv_bc2_sqrt).add_(c.eps), -c.step_size);
}

void sgd_tensor_ops(torch::Tensor& p, const torch::Tensor& g, torch::Tensor& buffer,
                    const SgdConstants& c) {
  const torch::Tensor d = c.l2 != 0.0f ? g.add(p, c.l2) : g;
  if (!buffer.defined()) {
    p.add_(d, -c.lr);
    return;
  }
  buffer.mul_(c.momentum).add_(d);
  p.add_(c.nesterov ? d.add(buffer, c.momentum) : buffer, -c.lr);
}

/// A contiguous float32 view of the gradient of `param` (a copy only if it is not one).
torch::Tensor flat_gradient(const torch::Tensor& param) {
  torch::Tensor grad = param.grad();
  if (grad.scalar_type() != torch::kFloat || !grad.is_contiguous())
    grad = grad.to(torch::kFloat).contiguous();
  return grad;
}

}  // namespace

struct Optimizer::State {
  Rule rule = Rule::Adam;
  double lr = 0.0;
  double momentum = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  Kernels kernels = Kernels::Fused;
  long long steps = 0;
  std::vector<torch::Tensor> params;
  std::vector<torch::Tensor> first;   ///< Adam: exp_avg; SGD: momentum buffer
  std::vector<torch::Tensor> second;  ///< Adam: exp_avg_sq
};

Optimizer::Optimizer(torch::nn::Module& model, const Hyperparameters& hp, Kernels kernels)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.kernels = kernels;
  s.rule = parse_rule(hp.optimizer);
  s.lr = hp.lr;
  s.momentum = hp.momentum;
  s.nesterov = hp.nesterov;
  s.weight_decay = hp.weight_decay;
  const bool adam = s.rule != Rule::Sgd;
  for (const auto& param : model.parameters()) {
    if (param.scalar_type() != torch::kFloat || !param.is_contiguous())
      throw TrialError("optimizer: parameters must be contiguous float32");
    s.params.push_back(param);
    const bool has_first = adam || s.momentum != 0.0;
    s.first.push_back(has_first ? torch::zeros_like(param) : torch::Tensor());
    s.second.push_back(adam ? torch::zeros_like(param) : torch::Tensor());
  }
}

Optimizer::~Optimizer() = default;

void Optimizer::zero_grad() {
  for (auto& param : state_->params) param.mutable_grad().reset();
}

void Optimizer::set_lr(double lr) { state_->lr = lr; }

long long Optimizer::steps() const { return state_->steps; }

void Optimizer::step() {
  State& s = *state_;
  torch::NoGradGuard no_grad;
  ++s.steps;
  const auto t = static_cast<double>(s.steps);
  AdamConstants adam{};
  if (s.rule != Rule::Sgd) {
    const bool decoupled = s.rule == Rule::AdamW;
    adam.step_size = static_cast<float>(s.lr / (1.0 - std::pow(s.beta1, t)));
    adam.beta1 = static_cast<float>(s.beta1);
    adam.beta2 = static_cast<float>(s.beta2);
    adam.inv_bc2_sqrt = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(s.beta2, t)));
    adam.eps = static_cast<float>(s.eps);
    adam.l2 = decoupled ? 0.0f : static_cast<float>(s.weight_decay);
    adam.decay = decoupled ? static_cast<float>(1.0 - s.lr * s.weight_decay) : 1.0f;
  }
  const SgdConstants sgd{static_cast<float>(s.lr), static_cast<float>(s.weight_decay),
                         static_cast<float>(s.momentum), s.nesterov};

  for (std::size_t i = 0; i < s.params.size(); ++i) {
    torch::Tensor& param = s.params[i];
    if (!param.grad().defined()) continue;
    const torch::Tensor grad = flat_gradient(param);
    if (s.kernels == Kernels::TensorOps || !param.is_cpu()) {
      if (s.rule == Rule::Sgd) {
        sgd_tensor_ops(param, grad, s.first[i], sgd);
      } else {
        adam_tensor_ops(param, grad, s.first[i], s.second[i], adam);
      }
      continue;
    }
    float* p = param.data_ptr<float>();
    const float* g = grad.data_ptr<float>();
    float* m = s.first[i].defined() ? s.first[i].data_ptr<float>() : nullptr;
    float* v = s.second[i].defined() ? s.second[i].data_ptr<float>() : nullptr;
    at::parallel_for(0, param.numel(), kGrain, [&](std::int64_t begin, std::int64_t end) {
      if (s.rule == Rule::Sgd) {
        sgd_kernel(p + begin, g + begin, m ? m + begin : nullptr, end - begin, sgd);
      } else {
        adam_kernel(p + begin, g + begin, m + begin, v + begin, end - begin, adam);
      }
    });
  }
}

void Optimizer::save(torch::serialize::OutputArchive& archive) const {
  const State& s = *state_;
  archive.write("optimizer.steps", torch::tensor(static_cast<std::int64_t>(s.steps)));
  for (std::size_t i = 0; i < s.params.size(); ++i) {
    if (s.first[i].defined()) archive.write("optimizer.first." + std::to_string(i), s.first[i]);
    if (s.second[i].defined()) archive.write("optimizer.second." + std::to_string(i), s.second[i]);
  }
}

void Optimizer::load(torch::serialize::InputArchive& archive) {
  State& s = *state_;
  torch::NoGradGuard no_grad;
  torch::Tensor steps;
  archive.read("optimizer.steps", steps);
  s.steps = steps.item<std::int64_t>();
  const auto restore = [&archive](const std::string& key, torch::Tensor& into) {
    if (!into.defined()) return;
    torch::Tensor saved;
    archive.read(key, saved);
    if (!saved.sizes().equals(into.sizes()))
      throw TrialError("checkpoint: " + key + " does not fit the model");
    into.copy_(saved);
  };
  for (std::size_t i = 0; i < s.params.size(); ++i) {
    restore("optimizer.first." + std::to_string(i), s.first[i]);
    restore("optimizer.second." + std::to_string(i), s.second[i]);
  }
}

}  // namespace rungs
