#include "trainer/onednn_gemm.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

namespace rungs {

SgemmFunction onednn_sgemm() {
  static const SgemmFunction found = []() -> SgemmFunction {
    const char* choice = std::getenv("RUNGS_GEMM");
    if (choice && std::strcmp(choice, "blas") == 0) return nullptr;
    return reinterpret_cast<SgemmFunction>(dlsym(RTLD_DEFAULT, "dnnl_sgemm"));
  }();
  return found;
}

}  // namespace rungs
