#pragma once
/// The environment of one rank's program in a multi-rank trial: what torch.distributed's
/// env:// initialisation reads (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR,
/// MASTER_PORT), the client's RUNGS_GROUP_RANK and RUNGS_GROUP_SIZE, and the GPU the
/// program may use (CUDA_VISIBLE_DEVICES); and how the group's leader picks MASTER_PORT.
/// Pure functions, besides port_is_free().
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rungs {

using EnvList = std::vector<std::pair<std::string, std::string>>;

/// Where one rank of a trial group stands.
struct RankPlace {
  int rank = 0, size = 1;              ///< in the group; rank 0 leads it
  int local_rank = 0, local_size = 1;  ///< among the group's ranks on this rank's node
  std::string master_addr;             ///< the leader's host
  int master_port = 0;
};

/// RANK ... MASTER_PORT, RUNGS_GROUP_RANK and RUNGS_GROUP_SIZE for `place`.
EnvList rank_environment(const RankPlace& place);

/// CUDA_VISIBLE_DEVICES for a program on a rank that trains on `device` (an index among the
/// devices the worker sees; -1: the CPU), given the worker's own CUDA_VISIBLE_DEVICES (null:
/// unset): that one device's entry of the worker's list, or its index when the worker's is
/// unset; "" when the study runs on the CPU (resources.device: cpu); nullopt (the worker's
/// own, unset or not) for a CPU rank of a study that may use GPUs.
std::optional<std::string> program_cuda_devices(int device, bool cpu_study,
                                                const char* worker_visible_devices);

/// The first MASTER_PORT of the leaders' range; a node's trial groups take the ports
/// kMasterPortBase + i + n * j, i their index among the n groups led from the node, j 0, 1, ...
/// so that trials that run at once on a node never pick the same port.
constexpr int kMasterPortBase = 29500;
constexpr int kMasterPortTries = 16;

/// The first port of group `node_group` (of `node_groups` led from its node) that is not in
/// `tried` and that `is_free` accepts; nullopt after kMasterPortTries candidates.
std::optional<int> choose_master_port(int node_group, int node_groups, const std::set<int>& tried,
                                      const std::function<bool(int)>& is_free);

/// Whether a TCP socket can bind `port` on every IPv4 address of this host now.
bool port_is_free(int port);

}  // namespace rungs
