#pragma once
/// Mixed precision for training on CUDA (precision: bf16 | fp16): autocast of the forward
/// pass and, for fp16, a dynamic loss scale. fp32 makes both no-ops. Used by trainer.cpp;
/// forward declarations keep LibTorch out of this header.
#include <string>
#include <vector>

namespace at {
class Tensor;
}  // namespace at

namespace rungs {

/// While alive, CUDA operations run under autocast to `precision`'s type (nothing for fp32).
class AutocastScope {
 public:
  explicit AutocastScope(const std::string& precision);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool on_ = false;
  bool was_enabled_ = false;
};

/// fp16's loss scale: the loss is multiplied by it before the backward pass, the gradients
/// divided by it after; a step whose gradients overflow is skipped and the scale halved,
/// and after 2000 good steps in a row it doubles. It restarts at 2^16 every epoch, so that a
/// resumed trial scales as an uninterrupted one.
class LossScaler {
 public:
  explicit LossScaler(bool enabled) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }
  /// `loss` times the scale.
  at::Tensor scaled(const at::Tensor& loss) const;
  /// Divides the gradients of `params` by the scale; false (the step is to be skipped) when
  /// one of them is not finite.
  bool unscale(const std::vector<at::Tensor>& params);

 private:
  bool enabled_ = false;
  double scale_ = 65536.0;
  int good_steps_ = 0;
};

}  // namespace rungs
