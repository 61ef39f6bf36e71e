#include "trainer/onednn_gemm.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

namespace rungs {

SgemmFunction onednn_sgemm() {
  static const SgemmFunction found = []() -> SgemmFunction {
    // Opt-in: two workers hit heap corruption with it in the stack while being interrupted;
    // until that is understood the default is LibTorch's own product (BLAS).
    const char* choice = std::getenv("RUNGS_GEMM");
    if (!choice || std::strcmp(choice, "onednn") != 0) return nullptr;
    return reinterpret_cast<SgemmFunction>(dlsym(RTLD_DEFAULT, "dnnl_sgemm"));
  }();
  return found;
}

}  // namespace rungs
