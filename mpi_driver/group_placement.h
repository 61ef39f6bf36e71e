#pragma once
/// Which device a worker rank trains on: its index among the node's worker ranks, spread
/// over the devices it can see (CUDA_VISIBLE_DEVICES, which Slurm's GPU binding sets per
/// task), with resources.trials_per_gpu single-rank trials sharing each GPU. Rank 0 needs
/// no device. Pure functions: the CUDA runtime's count comes from the caller, and rank 0
/// checks the gathered choices of every rank with placement_problem() before any work.
#include <string>
#include <vector>

#include "mpi_driver/trial_groups.h"
#include "study/config.h"

namespace rungs {

/// Devices this process may use: the runtime's count, capped by an explicit
/// CUDA_VISIBLE_DEVICES list ("" or "-1" hide every device; null: not set).
int visible_device_count(const char* cuda_visible_devices, int runtime_count);

/// The CUDA device index for the `local_worker`-th worker rank of a node (0-based), or -1
/// (CPU) when there is no device. Workers beyond devices * trials_per_gpu wrap around.
int pick_device(int local_worker, int devices, int trials_per_gpu);

/// pick_device() as resources.device says: always -1 for `cpu`; for `auto` and `cuda` the
/// visible devices are used when there are any (`cuda` without one is placement_problem()'s).
int choose_device(DeviceChoice choice, int local_worker, int visible_devices, int trials_per_gpu);

/// What the ranks know about where they train, gathered on rank 0 (index: world rank;
/// rank 0's entries are not looked at).
struct Placement {
  std::vector<int> device;   ///< CUDA device index, -1: the CPU
  std::vector<int> node;     ///< node id (equal ids: same node)
  std::vector<int> threads;  ///< LibTorch/OpenBLAS thread budget; may be empty
  /// The physical GPU behind `device`: its UUID ("GPU-...", as nvidia-smi -L prints it).
  /// Indices are per process: under Slurm's --gpus-per-task or --gpu-bind every rank sees
  /// its own GPU as cuda:0, and with partial visibility one GPU has different indices in
  /// different ranks. "" (or an empty vector) where it is unknown: the index on the node
  /// stands for the GPU then.
  std::vector<std::string> gpu;
};

/// Why `placement` cannot run the study, as the field and value part of an error message
/// ("resources.device: cuda, but worker rank 2 sees no CUDA device ..."); empty when it
/// can. Checked:
/// `cuda` with a worker on the CPU; a trial group mixing GPU and CPU ranks, or two of its
/// ranks on one GPU (NCCL needs one GPU per rank; the same UUID, or the same index on one node
/// where the UUIDs are unknown); GPU groups without NCCL built in.
std::string placement_problem(const Placement& placement, const GroupPlan& plan,
                              DeviceChoice choice, bool nccl_built);

/// The workers' devices and threads for the start-up line: "on the CPU, 1 thread each",
/// "on 4 GPUs, 1 worker each, 4 threads each" (GPUs counted by UUID), or by index where the
/// UUIDs are unknown: "on cuda:0 (x2), cuda:1 (x2), ..., 1-2 threads each". Over more than
/// one node it adds the worker ranks on each, in node id order: ", over 2 nodes (workers per
/// node: 2, 3)" (rank 0's node counts its workers only).
std::string describe_placement(const Placement& placement);

}  // namespace rungs
