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

std::string gpu_of(const Placement& placement, std::size_t rank) {
  return rank < placement.gpu.size() ? placement.gpu[rank] : std::string();
}

/// What identifies rank `r`'s GPU: its UUID, else its index on its node.
std::string gpu_key(const Placement& placement, std::size_t r) {
  const std::string uuid = gpu_of(placement, r);
  if (!uuid.empty()) return uuid;
  return "node " + std::to_string(placement.node[r]) + " " + device_name(placement.device[r]);
}

/// "1 thread each", "2-4 threads each".
std::string each(int low, int high, const char* one, const char* many) {
  return std::to_string(low) + (low == high ? "" : "-" + std::to_string(high)) + " " +
         (high == 1 ? one : many) + " each";
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
    std::map<std::string, int> taken;  // GPU (gpu_key) -> the group's rank on it
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
      const auto [it, fresh] = taken.emplace(gpu_key(placement, static_cast<std::size_t>(r)), r);
      if (!fresh) {
        const int other = it->second;
        const std::string uuid = gpu_of(placement, static_cast<std::size_t>(r));
        const std::string which =
            uuid.empty() ? device_name(device[r]) + " on one node"
                         : "one GPU, " + uuid + " (" + device_name(device[other]) + " of rank " +
                               std::to_string(other) + ", " + device_name(device[r]) +
                               " of rank " + std::to_string(r) + ")";
        return "resources.ranks_per_trial: ranks " + std::to_string(leader) + "-" +
               std::to_string(group.back()) + " train one trial and two of them would share " +
               which + "; NCCL needs one GPU per rank: start at most as many worker ranks "
               "per node as it has GPUs";
      }
    }
  }
  return "";
}

std::string describe_placement(const Placement& placement) {
  std::map<int, int> ranks_on;  // device -> worker ranks
  std::map<std::string, int> ranks_on_gpu;  // UUID -> worker ranks, where known
  int on_cpu = 0;
  bool uuids = false;
  for (std::size_t r = 1; r < placement.device.size(); ++r) {
    ++ranks_on[placement.device[r]];
    if (placement.device[r] < 0) {
      ++on_cpu;
    } else {
      uuids = uuids || !gpu_of(placement, r).empty();
      ++ranks_on_gpu[gpu_key(placement, r)];
    }
  }
  std::string text = "on ";
  if (ranks_on.empty() || (ranks_on.size() == 1 && ranks_on.begin()->first < 0)) {
    text += "the CPU";
  } else if (uuids) {
    if (on_cpu > 0) text += "the CPU (x" + std::to_string(on_cpu) + "), ";
    const std::size_t gpus = ranks_on_gpu.size();
    const auto [low, high] = std::minmax_element(
        ranks_on_gpu.begin(), ranks_on_gpu.end(),
        [](const auto& a, const auto& b) { return a.second < b.second; });
    text += std::to_string(gpus) + (gpus == 1 ? " GPU, " : " GPUs, ") +
            each(low->second, high->second, "worker", "workers");
  } else {
    for (const auto& [device, ranks] : ranks_on) {
      if (text.size() > 3) text += ", ";
      text += device_name(device) + " (x" + std::to_string(ranks) + ")";
    }
  }
  if (placement.threads.size() > 1) {
    const auto [low, high] = std::minmax_element(placement.threads.begin() + 1, placement.threads.end());
    text += ", " + each(*low, *high, "thread", "threads");
  }
  std::map<int, int> workers_on;  // node id -> worker ranks (rank 0's node may have none)
  for (std::size_t r = 0; r < placement.node.size(); ++r) workers_on[placement.node[r]] += r > 0;
  if (workers_on.size() > 1) {
    text += ", over " + std::to_string(workers_on.size()) + " nodes (workers per node:";
    const char* separator = " ";
    for (const auto& [node, workers] : workers_on) {
      text += separator + std::to_string(workers);
      separator = ", ";
    }
    text += ")";
  }
  return text;
}

}  // namespace rungs
