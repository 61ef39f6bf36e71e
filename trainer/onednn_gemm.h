#pragma once
/// oneDNN's single-precision matrix product, for the linear layers. LibTorch multiplies
/// float matrices with the BLAS (Debian: OpenBLAS 0.3.21, AVX2 kernels only); oneDNN, which
/// LibTorch loads anyway, has AVX-512 kernels and trained the benchmark MLP 1.8x faster on
/// our AVX-512 machine. oneDNN has no header installed, so the function is looked up by
/// name in the running process. No LibTorch here.
#include <cstdint>

namespace rungs {

/// Row-major C[M,N] = alpha * op(A) * op(B) + beta * C, op = transpose when 'T'; returns 0
/// on success (dnnl_sgemm's signature in oneDNN 2.x and 3.x).
using SgemmFunction = int (*)(char transa, char transb, std::int64_t m, std::int64_t n,
                              std::int64_t k, float alpha, const float* a, std::int64_t lda,
                              const float* b, std::int64_t ldb, float beta, float* c,
                              std::int64_t ldc);

/// oneDNN's sgemm when the environment variable RUNGS_GEMM is "onednn" and oneDNN is loaded;
/// otherwise nullptr, and LibTorch's own product (BLAS) is used. Looked up once.
SgemmFunction onednn_sgemm();

}  // namespace rungs
