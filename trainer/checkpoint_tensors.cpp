#include "trainer/checkpoint_tensors.h"

#include <torch/torch.h>

#include <vector>

#include "study/errors.h"
#include "trainer/optimizer.h"

namespace rungs {
namespace {

h5::FloatArray to_array(const torch::Tensor& tensor) {
  const torch::Tensor values = tensor.detach().to(torch::kCPU, torch::kFloat).contiguous();
  h5::FloatArray array;
  array.shape.assign(values.sizes().begin(), values.sizes().end());
  const float* begin = values.data_ptr<float>();
  array.values.assign(begin, begin + values.numel());
  return array;
}

torch::Tensor to_tensor(const h5::FloatArray& array) {
  return torch::from_blob(const_cast<float*>(array.values.data()), array.shape, torch::kFloat)
      .clone();
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

/// Optimizer state names: [0] for Optimizer's first moment, [1] for its second.
struct StateNames {
  const char* first;
  const char* second;
};

StateNames state_names(const Hyperparameters& hp) {
  if (hp.optimizer == "sgd") return {"momentum_buffer", nullptr};
  return {"exp_avg", "exp_avg_sq"};
}

// Optimizer keeps its state private and exposes it through a LibTorch archive only (keys
// "optimizer.steps", "optimizer.first.<i>", "optimizer.second.<i>", i in parameters()
// order); these two pass that archive through memory.
torch::serialize::InputArchive reopened(torch::serialize::OutputArchive& archive) {
  std::string bytes;
  archive.save_to([&bytes](const void* data, std::size_t size) {
    bytes.append(static_cast<const char*>(data), size);
    return size;
  });
  torch::serialize::InputArchive input;
  input.load_from(bytes.data(), bytes.size());
  return input;
}

}  // namespace

CheckpointData capture_checkpoint(const torch::nn::Module& model, const Optimizer& optimizer,
                                  const Hyperparameters& hp) {
  torch::NoGradGuard no_grad;
  CheckpointData data;
  data.optimizer = hp.optimizer;
  const auto parameters = model.named_parameters();
  for (const auto& item : parameters) data.arrays["model/" + item.key()] = to_array(item.value());
  for (const auto& item : model.named_buffers())
    data.arrays["model/" + item.key()] = to_array(item.value());

  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  torch::serialize::InputArchive state = reopened(archive);
  torch::Tensor steps;
  state.read("optimizer.steps", steps);
  data.optimizer_step = steps.item<std::int64_t>();
  const StateNames names = state_names(hp);
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const std::string& name = parameters[i].key();
    torch::Tensor moment;
    if (state.try_read("optimizer.first." + std::to_string(i), moment))
      data.arrays["optimizer/" + std::string(names.first) + "/" + name] = to_array(moment);
    if (names.second != nullptr && state.try_read("optimizer.second." + std::to_string(i), moment))
      data.arrays["optimizer/" + std::string(names.second) + "/" + name] = to_array(moment);
  }
  return data;
}

void restore_checkpoint(const CheckpointData& data, const std::string& file,
                        torch::nn::Module& model, Optimizer& optimizer, const Hyperparameters& hp) {
  if (data.optimizer != hp.optimizer)
    throw TrialError(file + ": holds the state of optimizer " + data.optimizer +
                     ", the trial uses " + hp.optimizer);
  torch::NoGradGuard no_grad;
  const auto find = [&](const std::string& key, const torch::Tensor& like) -> const h5::FloatArray& {
    const auto found = data.arrays.find(key);
    if (found == data.arrays.end()) throw TrialError(file + ": has no " + key);
    if (!like.sizes().equals(found->second.shape))
      throw TrialError(file + ": " + key + " has shape " + shape_text(found->second.shape) +
                       ", the model needs " + shape_text(like.sizes().vec()));
    return found->second;
  };

  std::size_t model_arrays = 0;
  const auto parameters = model.named_parameters();
  for (auto& item : parameters) {
    item.value().copy_(to_tensor(find("model/" + item.key(), item.value())));
    ++model_arrays;
  }
  for (auto& item : model.named_buffers()) {
    item.value().copy_(to_tensor(find("model/" + item.key(), item.value())));
    ++model_arrays;
  }
  std::size_t stored_model_arrays = 0;
  for (const auto& entry : data.arrays) stored_model_arrays += entry.first.rfind("model/", 0) == 0;
  if (stored_model_arrays != model_arrays)
    throw TrialError(file + ": holds " + std::to_string(stored_model_arrays) +
                     " model arrays, the model has " + std::to_string(model_arrays));

  // The same rule as Optimizer's constructor: which moments it keeps.
  const bool adam = hp.optimizer != "sgd";
  const bool has_first = adam || hp.momentum != 0.0;
  const StateNames names = state_names(hp);
  torch::serialize::OutputArchive archive;
  archive.write("optimizer.steps", torch::tensor(data.optimizer_step));
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const std::string& name = parameters[i].key();
    const torch::Tensor& param = parameters[i].value();
    if (has_first)
      archive.write("optimizer.first." + std::to_string(i),
                    to_tensor(find("optimizer/" + std::string(names.first) + "/" + name, param)));
    if (adam)
      archive.write("optimizer.second." + std::to_string(i),
                    to_tensor(find("optimizer/" + std::string(names.second) + "/" + name, param)));
  }
  torch::serialize::InputArchive state = reopened(archive);
  optimizer.load(state);
}

}  // namespace rungs
