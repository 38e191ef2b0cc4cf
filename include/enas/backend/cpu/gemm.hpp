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

/// Threads one gemm call may use (OpenBLAS's own thread pool, or Eigen's OpenMP threads).
int gemm_num_threads();
/// Sets the threads one gemm call may use (n >= 1). Process-wide: it is BLAS's global setting.
void set_gemm_num_threads(int n);

/// While alive (and `active`), gemm calls run on their calling thread only. Kernels that issue one
/// gemm per image from their own OpenMP loop hold one, so BLAS threads do not compete with the
/// OpenMP threads. Restores the previous count when destroyed.
class SerialGemmScope {
public:
    explicit SerialGemmScope(bool active = true) : previous_(active ? gemm_num_threads() : 1) {
        if (previous_ != 1) set_gemm_num_threads(1);
    }
    ~SerialGemmScope() {
        if (previous_ != 1) set_gemm_num_threads(previous_);
    }
    SerialGemmScope(const SerialGemmScope&) = delete;
    SerialGemmScope& operator=(const SerialGemmScope&) = delete;

private:
    int previous_;
};

}  // namespace enas::cpu
