#include "trainer/blas.h"

#include <dlfcn.h>
#include <stdlib.h>

#include <cstdlib>

namespace rungs {
namespace {

void* find_symbol(const char* name) { return dlsym(RTLD_DEFAULT, name); }

}  // namespace

std::optional<std::string> slow_blas_warning() {
  void* sgemm = find_symbol("sgemm_");
  if (!sgemm) return std::nullopt;
  Dl_info info{};
  if (!dladdr(sgemm, &info) || !info.dli_fname) return std::nullopt;
  // The loader names libblas.so.3, a link the alternatives system points at the real file.
  std::string library = info.dli_fname;
  if (char* real = realpath(info.dli_fname, nullptr)) {
    library = real;
    std::free(real);
  }
  // Debian installs the reference BLAS as .../blas/libblas.so.3; OpenBLAS, BLIS and MKL
  // live elsewhere.
  const bool reference = library.find("/blas/libblas.so") != std::string::npos;
  if (!reference) return std::nullopt;
  return "warning: LibTorch uses the reference BLAS (" + library +
         "), about 10x slower than OpenBLAS; fix: apt-get install libopenblas0-pthread (or "
         "update-alternatives --config libblas.so.3-x86_64-linux-gnu)";
}

void set_blas_threads(int threads) {
  using SetThreads = void (*)(int);
  if (void* set = find_symbol("openblas_set_num_threads"))
    reinterpret_cast<SetThreads>(set)(threads < 1 ? 1 : threads);
}

std::optional<int> blas_threads() {
  using GetThreads = int (*)();
  if (void* get = find_symbol("openblas_get_num_threads"))
    return reinterpret_cast<GetThreads>(get)();
  return std::nullopt;
}

}  // namespace rungs
