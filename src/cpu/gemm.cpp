// GEMM behind enas::cpu::gemm. OpenBLAS's SGEMM is the faster of the two on the project's
// machines (docs/performance.md); Eigen's own product is the fallback when OpenBLAS is absent.
#include "enas/backend/cpu/gemm.hpp"

#if ENAS_USE_OPENBLAS
#include <cblas.h>
#else
#include <Eigen/Core>
#endif

namespace enas::cpu {

#if ENAS_USE_OPENBLAS
namespace {
inline CBLAS_TRANSPOSE tr(bool t) { return t ? CblasTrans : CblasNoTrans; }
void blas(bool ta, bool tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb,
          float beta, float* c, int ldc) {
    cblas_sgemm(CblasRowMajor, tr(ta), tr(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void blas(bool ta, bool tb, int m, int n, int k, double alpha, const double* a, int lda, const double* b, int ldb,
          double beta, double* c, int ldc) {
    cblas_dgemm(CblasRowMajor, tr(ta), tr(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
}  // namespace

template <class T>
void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, T alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, T beta, T* c, std::int64_t ldc) {
    if (m == 0 || n == 0) return;
    blas(trans_a, trans_b, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
         static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}
const char* gemm_backend_name() { return "openblas"; }
#else
template <class T>
void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, T alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, T beta, T* c, std::int64_t ldc) {
    using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using Stride = Eigen::OuterStride<>;
    using CMap = Eigen::Map<const Mat, 0, Stride>;
    if (m == 0 || n == 0) return;
    Eigen::Map<Mat, 0, Stride> C(c, m, n, Stride(ldc));
    if (beta == T(0)) C.setZero();
    else if (beta != T(1)) C *= beta;
    if (k == 0) return;
    const CMap A(a, trans_a ? k : m, trans_a ? m : k, Stride(lda));
    const CMap B(b, trans_b ? n : k, trans_b ? k : n, Stride(ldb));
    if (!trans_a && !trans_b) C.noalias() += alpha * A * B;
    else if (trans_a && !trans_b) C.noalias() += alpha * A.transpose() * B;
    else if (!trans_a && trans_b) C.noalias() += alpha * A * B.transpose();
    else C.noalias() += alpha * A.transpose() * B.transpose();
}
const char* gemm_backend_name() { return "eigen"; }
#endif

template void gemm<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, float, const float*, std::int64_t,
                          const float*, std::int64_t, float, float*, std::int64_t);
template void gemm<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, double, const double*,
                           std::int64_t, const double*, std::int64_t, double, double*, std::int64_t);

}  // namespace enas::cpu
