#include "trainer/communicator_tensors.h"

#include <utility>

namespace rungs {

GradientAverager::GradientAverager(std::vector<torch::Tensor> parameters)
    : parameters_(std::move(parameters)) {
  std::int64_t total = 1;  // the loss sum
  for (const auto& p : parameters_) total += p.numel();
  const auto options = parameters_.empty() ? torch::TensorOptions().dtype(torch::kFloat)
                                           : parameters_.front().options();
  flat_ = torch::empty({total}, options.dtype(torch::kFloat).requires_grad(false));
}

void GradientAverager::average(Communicator& communicator, double weight, float& loss_sum) {
  torch::NoGradGuard no_grad;
  std::int64_t offset = 0;
  for (const auto& p : parameters_) {
    const std::int64_t n = p.numel();
    torch::Tensor slot = flat_.narrow(0, offset, n);
    const torch::Tensor& grad = p.grad();
    if (grad.defined()) {
      torch::mul_out(slot, grad.reshape({n}), weight);
    } else {
      slot.zero_();
    }
    offset += n;
  }
  flat_[offset].fill_(loss_sum);

  // A host or a device pointer: the buffer lives with the parameters.
  communicator.allreduce_sum(flat_.data_ptr<float>(), flat_.numel());

  offset = 0;
  for (auto& p : parameters_) {
    const std::int64_t n = p.numel();
    torch::Tensor& grad = p.mutable_grad();
    if (!grad.defined()) grad = torch::empty_like(p);
    grad.copy_(flat_.narrow(0, offset, n).view(p.sizes()));
    offset += n;
  }
  loss_sum = flat_[offset].item<float>();
}

void allreduce_host(Communicator& communicator, double* values, std::int64_t count) {
  if (communicator.memory() == Communicator::Memory::Host) {
    communicator.allreduce_sum(values, count);
    return;
  }
  const torch::Tensor host = torch::from_blob(values, {count}, torch::kDouble);
  torch::Tensor device = host.to(torch::kCUDA);
  communicator.allreduce_sum(device.data_ptr<double>(), count);
  host.copy_(device.cpu());
}

}  // namespace rungs
