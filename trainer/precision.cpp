#include "trainer/precision.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "study/errors.h"

namespace rungs {

AutocastScope::AutocastScope(const std::string& precision) {
  if (precision == "fp32") return;
  on_ = true;
  was_enabled_ = at::autocast::is_enabled();
  at::autocast::set_autocast_gpu_dtype(precision == "bf16" ? at::kBFloat16 : at::kHalf);
  at::autocast::set_enabled(true);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!on_) return;
  // The cast weights are cached for one forward pass only.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_enabled(was_enabled_);
}

at::Tensor LossScaler::scaled(const at::Tensor& loss) const {
  return enabled_ ? loss * scale_ : loss;
}

bool LossScaler::unscale(const std::vector<at::Tensor>& params) {
  if (!enabled_) return true;
  torch::NoGradGuard no_grad;
  bool finite = true;
  for (const auto& param : params) {
    if (!param.grad().defined()) continue;
    torch::Tensor grad = param.grad();
    grad.div_(scale_);
    if (finite && !torch::isfinite(grad).all().item<bool>()) finite = false;
  }
  if (!finite) {
    scale_ /= 2.0;
    good_steps_ = 0;
    return false;
  }
  if (++good_steps_ == 2000) {
    scale_ *= 2.0;
    good_steps_ = 0;
  }
  return true;
}

}  // namespace rungs
