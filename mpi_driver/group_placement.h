#pragma once
/// Which device a worker rank trains on: its index among the node's worker ranks, spread
/// over the devices it can see (CUDA_VISIBLE_DEVICES, which Slurm's GPU binding sets per
/// task), with resources.trials_per_gpu single-rank trials sharing each GPU. Rank 0 needs
/// no device. Pure functions: the CUDA runtime's count comes from the caller.
namespace rungs {

/// Devices this process may use: the runtime's count, capped by an explicit
/// CUDA_VISIBLE_DEVICES list ("" or "-1" hide every device; null: not set).
int visible_device_count(const char* cuda_visible_devices, int runtime_count);

/// The CUDA device index for the `local_worker`-th worker rank of a node (0-based), or -1
/// (CPU) when there is no device. Workers beyond devices * trials_per_gpu wrap around.
int pick_device(int local_worker, int devices, int trials_per_gpu);

}  // namespace rungs
