#pragma once
/// The optimizers of the trainer: SGD (momentum, Nesterov), Adam and AdamW with PyTorch's
/// update rules (torch.optim, foreach=False), L2 weight decay for SGD/Adam and decoupled
/// decay for AdamW. Each step is one fused pass over each parameter's values, gradient and
/// state instead of LibTorch's chain of whole-tensor operations (and the string-keyed state
/// lookups of torch::optim): the optimizer was the slowest part of a training step.
/// The header stays free of LibTorch by forward-declaring the types it takes.
#include <memory>

#include "trainer/hyperparams.h"

namespace torch {
namespace nn {
class Module;
}  // namespace nn
namespace serialize {
class InputArchive;
class OutputArchive;
}  // namespace serialize
}  // namespace torch

namespace rungs {

class Optimizer {
 public:
  /// How a step updates the values: `Fused`, one pass of the loops above per CPU parameter
  /// (parameters elsewhere, on a GPU, use tensor operations); `TensorOps`, LibTorch's
  /// in-place tensor operations everywhere (what GPUs run; tests compare it on the CPU).
  enum class Kernels { Fused, TensorOps };

  /// Optimizes every parameter of `model` (float32, contiguous) with hp.optimizer, hp.lr,
  /// hp.momentum, hp.nesterov and hp.weight_decay. The model must outlive the optimizer.
  Optimizer(torch::nn::Module& model, const Hyperparameters& hp, Kernels kernels = Kernels::Fused);
  ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// Drops the gradients (the next backward pass writes them anew, no zero-filling).
  void zero_grad();
  /// One update from the current gradients; parameters without a gradient are skipped.
  void step();
  /// The learning rate of the next steps (a schedule sets it before each step).
  void set_lr(double lr);
  /// Steps taken so far.
  long long steps() const;

  /// Writes the state (step count, moment buffers) under the keys "optimizer.*".
  void save(torch::serialize::OutputArchive& archive) const;
  /// Reads what save() wrote; throws when the archive does not fit these parameters.
  void load(torch::serialize::InputArchive& archive);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace rungs
