#include <gtest/gtest.h>

#include "mpi_driver/progress.h"

namespace rungs {
namespace {

TEST(Progress, LinesStartWithTheUtcTimeAndTheStudysElapsedTime) {
  // 2026-12-02 00:41:05 UTC; a study 1 day, 2 h, 3 min and 4 s old shows 26 hours.
  EXPECT_EQ(elapsed_prefix(26 * 3600 + 3 * 60 + 4.9, 1796172065),
            "[2026-12-02T00:41:05Z 26:03:04] ");
  EXPECT_EQ(elapsed_prefix(0, 0), "[1970-01-01T00:00:00Z 00:00:00] ");
}

}  // namespace
}  // namespace rungs
