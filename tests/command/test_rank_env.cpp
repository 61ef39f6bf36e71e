// The environment of a multi-rank program's processes and the leader's choice of
// MASTER_PORT (command/rank_env.h): pure functions, no process started.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>

#include "command/rank_env.h"

namespace rungs {
namespace {

std::map<std::string, std::string> as_map(const EnvList& env) {
  return std::map<std::string, std::string>(env.begin(), env.end());
}

TEST(RankEnv, TorchDistributedVariablesOfARank) {
  const auto env = as_map(rank_environment(RankPlace{1, 4, 0, 2, "node7", 29503}));
  EXPECT_EQ(env, (std::map<std::string, std::string>{{"RANK", "1"},
                                                     {"LOCAL_RANK", "0"},
                                                     {"WORLD_SIZE", "4"},
                                                     {"LOCAL_WORLD_SIZE", "2"},
                                                     {"MASTER_ADDR", "node7"},
                                                     {"MASTER_PORT", "29503"},
                                                     {"RUNGS_GROUP_RANK", "1"},
                                                     {"RUNGS_GROUP_SIZE", "4"}}));
}

TEST(RankEnv, TheProgramSeesItsRanksGpuOnly) {
  // The worker's list (Slurm's binding) maps the rank's device index to a device.
  EXPECT_EQ(program_cuda_devices(1, false, "2,3"), std::optional<std::string>("3"));
  EXPECT_EQ(program_cuda_devices(0, false, "GPU-aa,GPU-bb"), std::optional<std::string>("GPU-aa"));
  EXPECT_EQ(program_cuda_devices(2, false, nullptr), std::optional<std::string>("2"));
  // A CPU study hides every GPU; a CPU rank of an auto study keeps the worker's own.
  EXPECT_EQ(program_cuda_devices(-1, true, "0,1"), std::optional<std::string>(""));
  EXPECT_EQ(program_cuda_devices(-1, true, nullptr), std::optional<std::string>(""));
  EXPECT_EQ(program_cuda_devices(-1, false, nullptr), std::nullopt);
}

TEST(RankEnv, ConcurrentGroupsOfANodeNeverShareAPort) {
  const auto all_free = [](int) { return true; };
  std::set<int> seen;
  for (int g = 0; g < 3; ++g) {
    std::set<int> tried;
    for (int k = 0; k < kMasterPortTries; ++k) {
      const auto port = choose_master_port(g, 3, tried, all_free);
      ASSERT_TRUE(port);
      EXPECT_TRUE(seen.insert(*port).second) << "port " << *port << " of group " << g;
      tried.insert(*port);
    }
    EXPECT_FALSE(choose_master_port(g, 3, tried, all_free)) << "candidates run out";
  }
  EXPECT_EQ(choose_master_port(1, 3, {}, all_free), kMasterPortBase + 1);
}

TEST(RankEnv, TakenPortsArePassedOver) {
  const auto port = choose_master_port(0, 2, {kMasterPortBase + 2},
                                       [](int p) { return p != kMasterPortBase; });
  EXPECT_EQ(port, kMasterPortBase + 4);  // base: taken; base + 2: tried; next of group 0
}

TEST(RankEnv, PortIsFreeSeesABoundSocket) {
  // Find a port this test can hold, then check it reads as taken while held.
  for (int port = 40000; port < 40100; ++port) {
    if (!port_is_free(port)) continue;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 1) != 0) {
      ::close(fd);
      continue;
    }
    EXPECT_FALSE(port_is_free(port));
    ::close(fd);
    return;
  }
  GTEST_SKIP() << "no free port in 40000-40099";
}

}  // namespace
}  // namespace rungs
