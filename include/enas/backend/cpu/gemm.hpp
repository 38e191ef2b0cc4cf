// General matrix multiply for the CPU kernels, row-major:
//   C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C
// op(X) is X or its transpose. Implemented in src/cpu/gemm.cpp (OpenBLAS when the build found
// it, else Eigen) so that BLAS and Eigen headers stay out of every consumer's translation unit.
#pragma once
#include <cstdint>

namespace enas::cpu {

template <class T>
void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, T alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, T beta, T* c, std::int64_t ldc);

extern template void gemm<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, float, const float*,
                                 std::int64_t, const float*, std::int64_t, float, float*, std::int64_t);
extern template void gemm<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, double, const double*,
                                  std::int64_t, const double*, std::int64_t, double, double*, std::int64_t);

/// Name of the GEMM implementation this build uses ("openblas" or "eigen").
const char* gemm_backend_name();

}  // namespace enas::cpu
