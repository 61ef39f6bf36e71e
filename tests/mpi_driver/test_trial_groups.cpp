// Forming trial groups from the world size, ranks_per_trial and the node of each rank,
// and placing worker ranks on devices.
#include <gtest/gtest.h>

#include "mpi_driver/group_placement.h"
#include "mpi_driver/trial_groups.h"
#include "study/errors.h"
#include "trainer/device_identity.h"

namespace rungs {
namespace {

using Groups = std::vector<std::vector<int>>;

TEST(TrialGroups, SizesThatDoNotDivideAreAClearError) {
  EXPECT_EQ(group_size_problem(4, 2),
            "2 does not divide the 3 worker ranks (mpirun -n 4 has 3 workers); use mpirun -n 3 "
            "or -n 5");
  EXPECT_EQ(group_size_problem(2, 2),
            "2 does not divide the 1 worker rank (mpirun -n 2 has 1 worker); use mpirun -n 3");
  EXPECT_EQ(group_size_problem(5, 2), "");
  EXPECT_EQ(group_size_problem(2, 1), "");
  try {
    plan_trial_groups({0, 0, 0, 0}, 2);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("does not divide the 3 worker ranks"), std::string::npos);
  }
}

TEST(TrialGroups, ASingleWorkerIsAGroupOfOne) {
  const GroupPlan plan = plan_trial_groups({0, 0}, 1);
  EXPECT_EQ(plan.groups, (Groups{{1}}));
  EXPECT_EQ(plan.locate(1), std::make_pair(0, 0));
  EXPECT_EQ(plan.locate(0), std::make_pair(-1, -1));
}

TEST(TrialGroups, GroupsStayOnOneNodeWhenTheNodesAllowIt) {
  // Two nodes of four ranks, interleaved by the launcher (round-robin mapping); rank 0's
  // node has three workers, so K = 3 fits each node.
  const std::vector<int> nodes = {0, 1, 0, 1, 0, 1, 0};  // 7 ranks: 3 workers on node 0
  EXPECT_EQ(plan_trial_groups(nodes, 3).groups, (Groups{{2, 4, 6}, {1, 3, 5}}));
  const std::vector<int> two_nodes = {0, 0, 0, 1, 1, 1, 1, 1, 1};  // workers: 2 + 6
  EXPECT_EQ(plan_trial_groups(two_nodes, 2).groups, (Groups{{1, 2}, {3, 4}, {5, 6}, {7, 8}}));
}

TEST(TrialGroups, AGroupSpansNodesOnlyWhenKExceedsANode) {
  // Nodes of two ranks; K = 4 cannot fit one node, so groups take whole nodes in order.
  const std::vector<int> nodes = {0, 0, 1, 1, 2, 2, 3, 3, 4};  // 8 workers
  const GroupPlan plan = plan_trial_groups(nodes, 4);
  EXPECT_EQ(plan.groups, (Groups{{1, 2, 3, 4}, {5, 6, 7, 8}}));
  EXPECT_EQ(plan.locate(6), std::make_pair(1, 1));
}

TEST(TrialGroups, NodeIdsNeedNotBeRanks) {
  EXPECT_EQ(plan_trial_groups({42, 7, 42, 7, 42}, 2).groups, (Groups{{2, 4}, {1, 3}}));
}

TEST(GroupPlacement, RanksSpreadOverVisibleDevicesAndPackWithTrialsPerGpu) {
  EXPECT_EQ(pick_device(0, 0, 1), -1) << "no device: CPU";
  EXPECT_EQ(pick_device(0, 4, 1), 0);
  EXPECT_EQ(pick_device(3, 4, 1), 3);
  EXPECT_EQ(pick_device(5, 4, 1), 1) << "more ranks than devices wrap around";
  EXPECT_EQ(pick_device(0, 2, 3), 0);
  EXPECT_EQ(pick_device(2, 2, 3), 0) << "three trials share the first GPU";
  EXPECT_EQ(pick_device(3, 2, 3), 1);
}

TEST(GroupPlacement, CudaVisibleDevicesLimitsWhatARankSees) {
  EXPECT_EQ(visible_device_count(nullptr, 8), 8);
  EXPECT_EQ(visible_device_count("2,3", 8), 2);
  EXPECT_EQ(visible_device_count("", 8), 0);
  EXPECT_EQ(visible_device_count("-1", 8), 0);
  EXPECT_EQ(visible_device_count("0", 0), 0) << "listed but absent";
}

TEST(GroupPlacement, DeviceChoice) {
  EXPECT_EQ(choose_device(DeviceChoice::Cpu, 1, 4, 1), -1) << "cpu ignores the GPUs";
  EXPECT_EQ(choose_device(DeviceChoice::Auto, 1, 4, 1), 1);
  EXPECT_EQ(choose_device(DeviceChoice::Auto, 1, 0, 1), -1) << "auto without GPUs: CPU";
  EXPECT_EQ(choose_device(DeviceChoice::Cuda, 3, 2, 2), 1);
}

// World ranks 0..n-1; rank 0 (the coordinator) has no device.
Placement placed(std::vector<int> device, std::vector<int> node) {
  return Placement{std::move(device), std::move(node), {}, {}};
}

TEST(GroupPlacement, CudaWithoutAGpuIsAnErrorNamingTheRank) {
  const GroupPlan plan = plan_trial_groups({0, 0, 1}, 1);
  EXPECT_EQ(placement_problem(placed({-1, 0, -1}, {0, 0, 1}), plan, DeviceChoice::Cuda, true),
            "resources.device: cuda, but worker rank 2 sees no CUDA device (a CPU-only LibTorch, no GPU on its "
            "node, or CUDA_VISIBLE_DEVICES hiding them); use device: auto to train on CPUs there");
  EXPECT_EQ(placement_problem(placed({-1, 0, -1}, {0, 0, 1}), plan, DeviceChoice::Auto, true), "")
      << "auto: single-rank trials may train on CPUs and GPUs alike";
  EXPECT_EQ(placement_problem(placed({-1, -1, -1}, {0, 0, 0}), plan, DeviceChoice::Cpu, false), "");
}

TEST(GroupPlacement, GroupsOfGpuRanksNeedNcclAndOneGpuPerRank) {
  const GroupPlan plan = plan_trial_groups({0, 0, 0, 0, 0}, 2);  // groups {1,2} {3,4}
  const Placement good = placed({-1, 0, 1, 2, 3}, {0, 0, 0, 0, 0});
  EXPECT_EQ(placement_problem(good, plan, DeviceChoice::Auto, true), "");
  EXPECT_EQ(placement_problem(good, plan, DeviceChoice::Auto, false),
            "resources.ranks_per_trial: 2 on GPUs needs the NCCL communicator, and this rungs was built "
            "without NCCL (see docs/gpus.md, Building with CUDA and NCCL)");
  EXPECT_EQ(placement_problem(placed({-1, 0, 1, 0, 1}, {0, 0, 0, 0, 0}), plan, DeviceChoice::Auto,
                              true),
            "") << "the two groups share the GPUs, each rank of a group has its own";
  EXPECT_EQ(placement_problem(placed({-1, 0, 0, 1, 1}, {0, 0, 0, 0, 0}), plan, DeviceChoice::Auto,
                              true),
            "resources.ranks_per_trial: ranks 1-2 train one trial and two of them would share cuda:0 on one node; NCCL needs "
            "one GPU per rank: start at most as many worker ranks per node as it has GPUs");
  EXPECT_EQ(placement_problem(placed({-1, 0, 0, 1, 1}, {0, 0, 7, 0, 7}), plan_trial_groups(
                                  {0, 0, 7, 0, 7}, 2), DeviceChoice::Auto, true),
            "") << "cuda:0 of two different nodes";
  EXPECT_EQ(placement_problem(placed({-1, 0, -1, 1, 2}, {0, 0, 0, 0, 0}), plan, DeviceChoice::Auto,
                              true),
            "resources.device: the trial group of ranks 1-2 mixes cuda:0 (rank 1) and the CPU (rank 2); give every "
            "node of a multi-rank trial GPUs, or use device: cpu");
  EXPECT_EQ(placement_problem(placed({-1, -1, -1, -1, -1}, {0, 0, 0, 0, 0}), plan,
                              DeviceChoice::Auto, false),
            "") << "CPU groups use MPI";
}

TEST(GroupPlacement, TheStartLineSaysWhereWorkersTrain) {
  EXPECT_EQ(describe_placement(placed({-1, -1, -1}, {0, 0, 0})), "on the CPU");
  EXPECT_EQ(describe_placement(placed({-1, 0, 0, 1, 1}, {0, 0, 0, 0, 0})),
            "on cuda:0 (x2), cuda:1 (x2)");
  EXPECT_EQ(describe_placement(placed({-1, -1, 0}, {0, 0, 1})),
            "on the CPU (x1), cuda:0 (x1), over 2 nodes (workers per node: 1, 1)");
  EXPECT_EQ(describe_placement(placed({-1, -1, -1, -1, -1, -1}, {0, 0, 0, 1, 1, 1})),
            "on the CPU, over 2 nodes (workers per node: 2, 3)")
      << "2 nodes x 3 ranks: rank 0 and two workers, then three workers";
  Placement threaded = placed({-1, -1, -1}, {0, 0, 0});
  threaded.threads = {0, 1, 1};
  EXPECT_EQ(describe_placement(threaded), "on the CPU, 1 thread each");
  threaded.threads = {0, 2, 4};
  EXPECT_EQ(describe_placement(threaded), "on the CPU, 2-4 threads each");
}

/// With each rank's GPU UUID, as commands.cpp gathers it.
Placement placed(std::vector<int> device, std::vector<int> node, std::vector<std::string> gpu) {
  Placement p = placed(std::move(device), std::move(node));
  p.gpu = std::move(gpu);
  return p;
}

TEST(GroupPlacement, PerTaskBindingEveryRankSeesItsOwnGpuAsCuda0) {
  // srun --gpus-per-task=1: four ranks on one node, each with cuda:0, four different GPUs.
  const GroupPlan plan = plan_trial_groups({0, 0, 0, 0, 0}, 2);
  const Placement bound = placed({-1, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {"", "GPU-a", "GPU-b", "GPU-c", "GPU-d"});
  EXPECT_EQ(placement_problem(bound, plan, DeviceChoice::Auto, true), "");
  EXPECT_EQ(describe_placement(bound), "on 4 GPUs, 1 worker each");
}

TEST(GroupPlacement, SharedVisibilityGpusAreTheirUuids) {
  // Every rank sees both GPUs of the node; the groups {1,2} {3,4} each use both.
  const GroupPlan plan = plan_trial_groups({0, 0, 0, 0, 0}, 2);
  const Placement shared = placed({-1, 0, 1, 0, 1}, {0, 0, 0, 0, 0}, {"", "GPU-a", "GPU-b", "GPU-a", "GPU-b"});
  EXPECT_EQ(placement_problem(shared, plan, DeviceChoice::Auto, true), "");
  EXPECT_EQ(describe_placement(shared), "on 2 GPUs, 2 workers each");
}

TEST(GroupPlacement, OneGpuUnderTwoIndicesIsCaught) {
  // Partial visibility: rank 1 sees GPUs a and b (picks cuda:1 = b), rank 2 sees only b (its
  // cuda:0). The indices differ, the GPU is the same.
  const GroupPlan plan = plan_trial_groups({0, 0, 0}, 2);
  EXPECT_EQ(placement_problem(placed({-1, 1, 0}, {0, 0, 0}, {"", "GPU-b", "GPU-b"}), plan,
                              DeviceChoice::Auto, true),
            "resources.ranks_per_trial: ranks 1-2 train one trial and two of them would share one GPU, "
            "GPU-b (cuda:1 of rank 1, cuda:0 of rank 2); NCCL needs one GPU per rank: start at most "
            "as many worker ranks per node as it has GPUs");
  EXPECT_EQ(placement_problem(placed({-1, 1, 0}, {0, 0, 0}, {"", "GPU-b", "GPU-a"}), plan,
                              DeviceChoice::Auto, true),
            "");
  EXPECT_EQ(describe_placement(placed({-1, -1, 0, 1}, {0, 0, 0, 0}, {"", "", "GPU-a", "GPU-a"})),
            "on the CPU (x1), 1 GPU, 2 workers each");
}

TEST(GroupPlacement, GpuUuidsAreWrittenAsNvidiaSmiDoes) {
  const unsigned char bytes[16] = {0x8d, 0x3e, 0x1f, 0x52, 0x6c, 0x47, 0xae, 0x2b,
                                   0x5b, 0x8a, 0x0e, 0x2f, 0x8a, 0x9c, 0x1d, 0x33};
  EXPECT_EQ(format_gpu_uuid(bytes), "GPU-8d3e1f52-6c47-ae2b-5b8a-0e2f8a9c1d33");
  EXPECT_EQ(cuda_device_uuid(-1), "");
}

TEST(TrialGroups, LayoutGivesLocalRanksAndEachNodesGroupIndex) {
  // Node 0: ranks 0-4 (rank 0 the coordinator: 4 workers); node 5: ranks 5-9. Group 1
  // spans the two nodes.
  const std::vector<int> nodes = {0, 0, 0, 0, 0, 5, 5, 5, 5, 5};
  const GroupPlan plan = plan_trial_groups(nodes, 3);
  ASSERT_EQ(plan.groups, (Groups{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}));
  const GroupLayout a = group_layout(plan, nodes, 0, 2);
  EXPECT_EQ(a.local_rank, 2);
  EXPECT_EQ(a.local_size, 3);
  EXPECT_TRUE(a.one_node);
  EXPECT_EQ(a.node_group, 0);
  EXPECT_EQ(a.node_groups, 2);  // groups 0 and 1 are led from node 0
  const GroupLayout spanning_leader = group_layout(plan, nodes, 1, 0);  // rank 4 on node 0
  EXPECT_EQ(spanning_leader.local_rank, 0);
  EXPECT_EQ(spanning_leader.local_size, 1);
  EXPECT_FALSE(spanning_leader.one_node);
  EXPECT_EQ(spanning_leader.node_group, 1);
  const GroupLayout spanning_member = group_layout(plan, nodes, 1, 2);  // rank 6 on node 5
  EXPECT_EQ(spanning_member.local_rank, 1);
  EXPECT_EQ(spanning_member.local_size, 2);
  const GroupLayout other = group_layout(plan, nodes, 2, 1);
  EXPECT_EQ(other.node_group, 0);  // the first group led from node 5
  EXPECT_EQ(other.node_groups, 1);
  EXPECT_EQ(other.local_rank, 1);
}

}  // namespace
}  // namespace rungs
