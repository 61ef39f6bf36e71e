// The Slurm job's time limit as rank 0 reads it (preemption.before_limit_seconds).
#include "mpi_driver/job_clock.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <ctime>
#include <string>

namespace rungs {
namespace {

TEST(JobClock, SlurmDurationsInEveryFormSqueuePrints) {
  EXPECT_EQ(parse_slurm_duration("45"), 45.0);
  EXPECT_EQ(parse_slurm_duration("12:05"), 12 * 60 + 5.0);
  EXPECT_EQ(parse_slurm_duration("1:02:03"), 3600 + 2 * 60 + 3.0);
  EXPECT_EQ(parse_slurm_duration("2-03:04:05"), 2 * 86400 + 3 * 3600 + 4 * 60 + 5.0);
  EXPECT_EQ(parse_slurm_duration("2-03"), 2 * 86400 + 3 * 3600.0);
  EXPECT_EQ(parse_slurm_duration("2-03:04"), 2 * 86400 + 3 * 3600 + 4 * 60.0);
  EXPECT_EQ(parse_slurm_duration("  59:59\n"), 59 * 60 + 59.0);
  EXPECT_EQ(parse_slurm_duration("UNLIMITED"), std::nullopt);
  EXPECT_EQ(parse_slurm_duration("NOT_SET"), std::nullopt);
  EXPECT_EQ(parse_slurm_duration("INVALID"), std::nullopt);
  EXPECT_EQ(parse_slurm_duration(""), std::nullopt);
}

TEST(JobClock, TheJobsEndTimeFromTheEnvironment) {
  ::unsetenv("SLURM_JOB_ID");
  ::setenv("SLURM_JOB_END_TIME", "2000000000", 1);
  EXPECT_EQ(slurm_seconds_left(), std::nullopt) << "outside a Slurm job";
  ::setenv("SLURM_JOB_ID", "42", 1);
  const double in_an_hour = static_cast<double>(std::time(nullptr)) + 3600;
  ::setenv("SLURM_JOB_END_TIME", std::to_string(static_cast<long>(in_an_hour)).c_str(), 1);
  const auto left = slurm_seconds_left();
  ASSERT_TRUE(left.has_value());
  EXPECT_NEAR(*left, 3600, 5);
  ::unsetenv("SLURM_JOB_ID");
  ::unsetenv("SLURM_JOB_END_TIME");
}

}  // namespace
}  // namespace rungs
