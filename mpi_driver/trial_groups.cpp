#include "mpi_driver/trial_groups.h"

#include <algorithm>
#include <map>

#include "study/errors.h"

namespace rungs {

std::pair<int, int> GroupPlan::locate(int rank) const {
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& members = groups[g];
    const auto it = std::find(members.begin(), members.end(), rank);
    if (it != members.end()) return {static_cast<int>(g), static_cast<int>(it - members.begin())};
  }
  return {-1, -1};
}

std::string group_size_problem(int world_size, int ranks_per_trial) {
  const int k = ranks_per_trial;
  const int workers = world_size - 1;
  if (k >= 1 && workers >= k && workers % k == 0) return {};
  std::string text = std::to_string(k) + " does not divide the " + std::to_string(workers) +
                     " worker rank" + (workers == 1 ? "" : "s") + " (mpirun -n " +
                     std::to_string(world_size) + " has " + std::to_string(workers) +
                     " worker" + (workers == 1 ? "" : "s") + ")";
  // The nearest launches that fit: 1 coordinator + a multiple of K workers.
  const int below = (workers / k) * k + 1;
  const int above = below + k;
  text += "; use mpirun -n ";
  if (below > 1) text += std::to_string(below) + " or -n ";
  text += std::to_string(above);
  return text;
}

GroupPlan plan_trial_groups(const std::vector<int>& node_of_rank, int ranks_per_trial) {
  const int world = static_cast<int>(node_of_rank.size());
  const std::string problem = group_size_problem(world, ranks_per_trial);
  if (!problem.empty()) throw ConfigError(problem);
  // Nodes in the order of their first rank, so the plan does not depend on the ids' values.
  std::map<int, int> node_order;
  for (int r = 0; r < world; ++r) node_order.emplace(node_of_rank[r], r);
  std::vector<int> workers;
  for (int r = 1; r < world; ++r) workers.push_back(r);
  std::stable_sort(workers.begin(), workers.end(), [&](int a, int b) {
    return node_order[node_of_rank[a]] < node_order[node_of_rank[b]];
  });
  GroupPlan plan;
  for (std::size_t i = 0; i < workers.size(); i += ranks_per_trial) {
    plan.groups.emplace_back(workers.begin() + i, workers.begin() + i + ranks_per_trial);
  }
  return plan;
}

GroupLayout group_layout(const GroupPlan& plan, const std::vector<int>& node_of_rank, int group,
                         int position) {
  GroupLayout layout;
  const std::vector<int>& members = plan.groups.at(static_cast<std::size_t>(group));
  const int node = node_of_rank.at(static_cast<std::size_t>(members.at(position)));
  const int leader_node = node_of_rank.at(static_cast<std::size_t>(members.front()));
  layout.local_size = 0;
  for (int p = 0; p < static_cast<int>(members.size()); ++p) {
    const int on = node_of_rank[static_cast<std::size_t>(members[p])];
    if (on == node) {
      if (p < position) ++layout.local_rank;
      ++layout.local_size;
    }
    if (on != leader_node) layout.one_node = false;
  }
  layout.node_groups = 0;
  for (int g = 0; g < static_cast<int>(plan.groups.size()); ++g) {
    if (node_of_rank[static_cast<std::size_t>(plan.groups[g].front())] != leader_node) continue;
    if (g < group) ++layout.node_group;
    ++layout.node_groups;
  }
  return layout;
}

}  // namespace rungs
