// The C++ client (command/client/rungs_trial.h) on a rank other than 0 of a multi-rank
// trial, run as torchrun would (RANK and WORLD_SIZE set, without rungs): it says which rank
// it is, and its checkpoint folders are scratch that commit_checkpoint() removes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "rungs_trial.h"
#include "tests/temp_dir.h"

namespace {

TEST(ClientRank, AMembersCheckpointsAreScratch) {
  rungs::testing::TempDir dir;
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  ::setenv("RANK", "1", 1);
  ::setenv("WORLD_SIZE", "2", 1);
  {
    rungs_trial::Trial trial({{"lr", "0.1"}}, 2);
    EXPECT_EQ(trial.rank(), 1);
    EXPECT_EQ(trial.world_size(), 2);
    const std::string folder = trial.begin_checkpoint(1);
    std::ofstream(folder + "/state.bin") << "weights";
    trial.commit_checkpoint(1);
    EXPECT_FALSE(std::filesystem::exists(folder));
    EXPECT_FALSE(std::filesystem::exists("checkpoints/trial_0.e1"));  // rank 0's to write
  }
  ::setenv("RUNGS_GROUP_RANK", "0", 1);  // rungs' own variables win over torchrun's
  {
    rungs_trial::Trial trial({}, 1);
    EXPECT_EQ(trial.rank(), 0);
    trial.begin_checkpoint(1);
    trial.commit_checkpoint(1);
    EXPECT_TRUE(std::filesystem::is_directory("checkpoints/trial_0.e1"));
  }
  ::unsetenv("RANK");
  ::unsetenv("WORLD_SIZE");
  ::unsetenv("RUNGS_GROUP_RANK");
  std::filesystem::current_path(cwd);
}

}  // namespace
