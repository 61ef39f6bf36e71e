#include "mpi_driver/group_placement.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace rungs {
namespace {

std::string device_name(int device) {
  return device < 0 ? std::string("the CPU") : "cuda:" + std::to_string(device);
}

}  // namespace

int visible_device_count(const char* cuda_visible_devices, int runtime_count) {
  if (!cuda_visible_devices) return std::max(runtime_count, 0);
  const std::string list = cuda_visible_devices;
  if (list.empty() || list.rfind("-1", 0) == 0) return 0;
  const int listed = 1 + static_cast<int>(std::count(list.begin(), list.end(), ','));
  return std::max(0, std::min(listed, runtime_count));
}

int pick_device(int local_worker, int devices, int trials_per_gpu) {
  if (devices <= 0 || local_worker < 0) return -1;
  return (local_worker / std::max(trials_per_gpu, 1)) % devices;
}

int choose_device(DeviceChoice choice, int local_worker, int visible_devices, int trials_per_gpu) {
  if (choice == DeviceChoice::Cpu) return -1;
  return pick_device(local_worker, visible_devices, trials_per_gpu);
}

std::string placement_problem(const Placement& placement, const GroupPlan& plan,
                              DeviceChoice choice, bool nccl_built) {
  const std::vector<int>& device = placement.device;
  if (choice == DeviceChoice::Cuda) {
    for (std::size_t r = 1; r < device.size(); ++r) {
      if (device[r] < 0) {
        return "resources.device: cuda, but worker rank " + std::to_string(r) +
               " sees no CUDA device (a CPU-only LibTorch, no GPU on its node, or "
               "CUDA_VISIBLE_DEVICES hiding them); use device: auto to train on CPUs there";
      }
    }
  }
  for (const std::vector<int>& group : plan.groups) {
    if (group.size() < 2) continue;
    const int leader = group.front();
    std::set<std::pair<int, int>> taken;  // (node, device) of the group's GPU ranks
    for (const int r : group) {
      if ((device[r] < 0) != (device[leader] < 0)) {
        return "resources.device: the trial group of ranks " + std::to_string(leader) + "-" +
               std::to_string(group.back()) + " mixes " + device_name(device[leader]) + " (rank " +
               std::to_string(leader) + ") and " + device_name(device[r]) + " (rank " +
               std::to_string(r) + "); give every node of a multi-rank trial GPUs, or use device: cpu";
      }
      if (device[r] < 0) continue;
      if (!nccl_built) {
        return "resources.ranks_per_trial: " + std::to_string(group.size()) +
               " on GPUs needs the NCCL communicator, and this rungs was built without NCCL "
               "(see docs/gpus.md, Building with CUDA and NCCL)";
      }
      if (!taken.emplace(placement.node[r], device[r]).second) {
        return "resources.ranks_per_trial: ranks " + std::to_string(leader) + "-" +
               std::to_string(group.back()) +
               " train one trial and two of them would share " + device_name(device[r]) +
               " on one node; NCCL needs one GPU per rank: start at most as many worker ranks "
               "per node as it has GPUs";
      }
    }
  }
  return "";
}

std::string describe_placement(const Placement& placement) {
  std::map<int, int> ranks_on;  // device -> worker ranks
  for (std::size_t r = 1; r < placement.device.size(); ++r) ++ranks_on[placement.device[r]];
  std::string text = "on ";
  if (ranks_on.empty() || (ranks_on.size() == 1 && ranks_on.begin()->first < 0)) {
    text += "the CPU";
  } else {
    for (const auto& [device, ranks] : ranks_on) {
      if (text.size() > 3) text += ", ";
      text += device_name(device) + " (x" + std::to_string(ranks) + ")";
    }
  }
  if (placement.threads.size() > 1) {
    const auto [low, high] = std::minmax_element(placement.threads.begin() + 1, placement.threads.end());
    text += ", " + std::to_string(*low) + (*low == *high ? "" : "-" + std::to_string(*high)) +
            (*high == 1 ? " thread" : " threads") + " each";
  }
  return text;
}

}  // namespace rungs
