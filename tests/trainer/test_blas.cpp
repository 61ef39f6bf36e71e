#include <gtest/gtest.h>

#include "trainer/blas.h"
#include "trainer/trainer.h"

namespace rungs {
namespace {

TEST(Blas, ThisMachineUsesAnOptimizedBlas) {
  configure_trainer_process(1);  // LibTorch, and with it libblas.so.3, are loaded
  const auto warning = slow_blas_warning();
  EXPECT_FALSE(warning.has_value()) << *warning;
}

TEST(Blas, SetsOpenBlasThreads) {
  if (!blas_threads()) GTEST_SKIP() << "OpenBLAS is not the BLAS of this process";
  set_blas_threads(2);
  EXPECT_EQ(blas_threads(), 2);
  set_blas_threads(1);
  EXPECT_EQ(blas_threads(), 1);
  configure_trainer_process(2);
  EXPECT_EQ(blas_threads(), 2);
  configure_trainer_process(1);
}

// The thread budget goes to the BLAS for the MLP (its products) and to LibTorch for the CNN
// (its convolutions), never to both at once.
TEST(Blas, ThreadsGoToTheLibraryDoingTheWork) {
  if (!blas_threads()) GTEST_SKIP() << "OpenBLAS is not the BLAS of this process";
  configure_trainer_process(2);
  give_threads_to("cnn");
  EXPECT_EQ(blas_threads(), 1);
  EXPECT_EQ(intra_op_threads(), 2);
  give_threads_to("mlp");
  EXPECT_EQ(blas_threads(), 2);
  EXPECT_EQ(intra_op_threads(), 1);
  configure_trainer_process(1);
}

}  // namespace
}  // namespace rungs
