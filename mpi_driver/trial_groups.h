#pragma once
/// Which ranks train each trial together (study resources.ranks_per_trial = K): the pure
/// part of forming trial groups, without MPI, so that every rank computes the same plan
/// from the same inputs and tests need no mpirun. mpi_driver/group_comms.h turns a plan
/// into communicators.
///
/// Rank 0 is the coordinator and belongs to no group. The worker ranks, ordered by node
/// (then by rank), are cut into consecutive groups of K: a group spans two nodes only where
/// a node's worker count is not a multiple of K (K larger than a node, or rank 0's node
/// having one worker less). The first rank of each group is its leader, the only rank that
/// talks to the coordinator.
#include <string>
#include <vector>

namespace rungs {

struct GroupPlan {
  std::vector<std::vector<int>> groups;  ///< world ranks; groups[g][0] leads group g

  /// Group index of `rank` and its position in the group (0: leader); {-1, -1} for rank 0.
  std::pair<int, int> locate(int rank) const;
};

/// Empty when `world_size` ranks split into a coordinator and groups of `ranks_per_trial`;
/// otherwise why not, as the value part of an error message ("2 does not divide the 3
/// worker ranks (mpirun -n 4 has 3 workers); use mpirun -n 3 or -n 5").
std::string group_size_problem(int world_size, int ranks_per_trial);

/// `node_of_rank[r]`: an id of the node of world rank r (equal ids: same node). Throws
/// ConfigError with group_size_problem() when the sizes do not fit.
GroupPlan plan_trial_groups(const std::vector<int>& node_of_rank, int ranks_per_trial);

/// Where a group's rank stands on its node, for the environment of a program's ranks
/// (command/rank_env.h).
struct GroupLayout {
  int local_rank = 0, local_size = 1;  ///< among the group's ranks on this rank's node
  int node_group = 0;   ///< the group's index among the groups led from its leader's node
  int node_groups = 1;  ///< how many groups are led from that node
  bool one_node = true; ///< every rank of the group is on the leader's node
};

/// The layout of position `position` of group `group` of `plan`.
GroupLayout group_layout(const GroupPlan& plan, const std::vector<int>& node_of_rank, int group,
                         int position);

}  // namespace rungs
