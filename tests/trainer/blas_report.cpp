// Prints slow_blas_warning() after LibTorch is loaded, or "optimized BLAS". ctest runs it
// with the reference BLAS first on the library path and expects the warning.
#include <cstdio>

#include "trainer/blas.h"
#include "trainer/trainer.h"

int main() {
  rungs::configure_trainer_process(1);
  const auto warning = rungs::slow_blas_warning();
  std::printf("%s\n", warning ? warning->c_str() : "optimized BLAS");
  return 0;
}
