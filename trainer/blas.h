#pragma once
/// The BLAS that LibTorch calls for matrix products. Debian's LibTorch links libblas.so.3,
/// which the alternatives system points at OpenBLAS or at the reference BLAS; the
/// reference BLAS is about ten times slower and nothing else says so. No LibTorch here:
/// these look the symbols up in the running process.
#include <optional>
#include <string>

namespace rungs {

/// A one-line warning with the fix when `sgemm_` in this process comes from the slow
/// reference BLAS; nullopt when it comes from an optimized one (or no BLAS is loaded).
std::optional<std::string> slow_blas_warning();

/// Sets OpenBLAS's thread count when OpenBLAS is loaded (it otherwise starts one thread per
/// core whatever torch::set_num_threads says: two workers on two cores would run four
/// BLAS threads). Does nothing for another BLAS. `threads` >= 1.
void set_blas_threads(int threads);

/// OpenBLAS's current thread count; nullopt when OpenBLAS is not loaded.
std::optional<int> blas_threads();

}  // namespace rungs
