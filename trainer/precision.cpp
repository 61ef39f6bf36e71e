#include "trainer/precision.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

namespace rungs {
namespace {

// LibTorch 2.4 names the device in the autocast calls and deprecates the CUDA-only ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool cuda_autocast() { return at::autocast::is_autocast_enabled(at::kCUDA); }
void set_cuda_autocast(bool on) { at::autocast::set_autocast_enabled(at::kCUDA, on); }
void set_cuda_autocast_type(at::ScalarType type) {
  at::autocast::set_autocast_dtype(at::kCUDA, type);
}
#else
bool cuda_autocast() { return at::autocast::is_enabled(); }
void set_cuda_autocast(bool on) { at::autocast::set_enabled(on); }
void set_cuda_autocast_type(at::ScalarType type) { at::autocast::set_autocast_gpu_dtype(type); }
#endif

}  // namespace

AutocastScope::AutocastScope(const std::string& precision) {
  if (precision == "fp32") return;
  on_ = true;
  was_enabled_ = cuda_autocast();
  set_cuda_autocast_type(precision == "bf16" ? at::kBFloat16 : at::kHalf);
  set_cuda_autocast(true);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!on_) return;
  // The cast weights are cached for one forward pass only.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_cuda_autocast(was_enabled_);
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
