#include "trainer/model_cost.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace rungs {

ModelCost measure_cost(torch::nn::AnyModule& model, const torch::Tensor& batch) {
  ModelCost cost;
  for (const auto& p : model.ptr()->parameters()) cost.parameters += p.numel();
  if (batch.size(0) == 0) return cost;
  c10::InferenceMode inference;
  model.ptr()->eval();
  const bool cuda = batch.is_cuda();
  std::vector<double> seconds;
  for (int pass = 0; pass < 7; ++pass) {
    if (cuda) torch::cuda::synchronize();
    const auto start = std::chrono::steady_clock::now();
    model.forward<torch::Tensor>(batch);
    if (cuda) torch::cuda::synchronize();
    if (pass >= 2) seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  model.ptr()->train();
  std::nth_element(seconds.begin(), seconds.begin() + 2, seconds.end());
  cost.latency_ms = 1000.0 * seconds[2] / static_cast<double>(batch.size(0));
  return cost;
}

}  // namespace rungs
