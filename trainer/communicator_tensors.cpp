#include "trainer/communicator_tensors.h"

#include <utility>

namespace rungs {

GradientAverager::GradientAverager(std::vector<torch::Tensor> parameters)
    : parameters_(std::move(parameters)) {
  std::int64_t total = 2;  // the StepSums
  for (const auto& p : parameters_) total += p.numel();
  const auto options = parameters_.empty() ? torch::TensorOptions().dtype(torch::kFloat)
                                           : parameters_.front().options();
  flat_ = torch::empty({total}, options.dtype(torch::kFloat).requires_grad(false));
}

void GradientAverager::average(Communicator& communicator, double weight, StepSums& sums) {
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
  flat_[offset].fill_(sums.loss_sum);
  flat_[offset + 1].fill_(sums.failed);

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
  const torch::Tensor tail = flat_.narrow(0, offset, 2).to(torch::kCPU);
  sums.loss_sum = tail.data_ptr<float>()[0];
  sums.failed = tail.data_ptr<float>()[1];
}

void average_buffers(Communicator& communicator, const std::vector<torch::Tensor>& buffers) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> floats;
  for (const auto& buffer : buffers)
    if (buffer.scalar_type() == torch::kFloat) floats.push_back(buffer);
  if (floats.empty()) return;
  std::vector<torch::Tensor> flat_parts;
  for (const auto& buffer : floats) flat_parts.push_back(buffer.reshape({-1}));
  torch::Tensor flat = torch::cat(flat_parts).contiguous();
  communicator.allreduce_sum(flat.data_ptr<float>(), flat.numel());
  flat.div_(static_cast<double>(communicator.size()));
  std::int64_t offset = 0;
  for (auto& buffer : floats) {
    buffer.copy_(flat.narrow(0, offset, buffer.numel()).view_as(buffer));
    offset += buffer.numel();
  }
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
