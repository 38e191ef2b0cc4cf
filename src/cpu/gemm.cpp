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
// c[0, :n] = alpha * a[0, :k] (elements `inc_a` apart) * op(B) + beta * c, through gemv.
void gemv_row(bool trans_b, std::int64_t n, std::int64_t k, float alpha, const float* a, std::int64_t inc_a,
              const float* b, std::int64_t ldb, float beta, float* c) {
    if (trans_b)  // op(B) = B^T with B [n, k]: c = B a
        cblas_sgemv(CblasRowMajor, CblasNoTrans, int(n), int(k), alpha, b, int(ldb), a, int(inc_a), beta, c, 1);
    else  // B [k, n]: c = B^T a
        cblas_sgemv(CblasRowMajor, CblasTrans, int(k), int(n), alpha, b, int(ldb), a, int(inc_a), beta, c, 1);
}
void gemv_row(bool trans_b, std::int64_t n, std::int64_t k, double alpha, const double* a, std::int64_t inc_a,
              const double* b, std::int64_t ldb, double beta, double* c) {
    if (trans_b)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, int(n), int(k), alpha, b, int(ldb), a, int(inc_a), beta, c, 1);
    else
        cblas_dgemv(CblasRowMajor, CblasTrans, int(k), int(n), alpha, b, int(ldb), a, int(inc_a), beta, c, 1);
}
}  // namespace

template <class T>
void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, T alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, T beta, T* c, std::int64_t ldc) {
    if (m == 0 || n == 0) return;
    if (m == 1 && k > 0) {  // a row vector times a matrix (the controller's LSTM, batch 1): gemv is ~4x faster
        gemv_row(trans_b, n, k, alpha, a, trans_a ? lda : 1, b, ldb, beta, c);
        return;
    }
    blas(trans_a, trans_b, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
         static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}
const char* gemm_backend_name() { return "openblas"; }
int gemm_num_threads() { return openblas_get_num_threads(); }
void set_gemm_num_threads(int n) { openblas_set_num_threads(n < 1 ? 1 : n); }
#else
template <class T>
void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, T alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, T beta, T* c, std::int64_t ldc) {
    using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using Stride = Eigen::OuterStride<>;
    using CMap = Eigen::Map<const Mat, 0, Stride>;
    if (m == 0 || n == 0) return;
    Eigen::Map<Mat, 0, Stride> C(c, m, n, Stride(ldc));
    if (beta == T(0))
        C.setZero();
    else if (beta != T(1))
        C *= beta;
    if (k == 0) return;
    const CMap A(a, trans_a ? k : m, trans_a ? m : k, Stride(lda));
    const CMap B(b, trans_b ? n : k, trans_b ? k : n, Stride(ldb));
    if (!trans_a && !trans_b)
        C.noalias() += alpha * A * B;
    else if (trans_a && !trans_b)
        C.noalias() += alpha * A.transpose() * B;
    else if (!trans_a && trans_b)
        C.noalias() += alpha * A * B.transpose();
    else
        C.noalias() += alpha * A.transpose() * B.transpose();
}
const char* gemm_backend_name() { return "eigen"; }
int gemm_num_threads() { return Eigen::nbThreads(); }
void set_gemm_num_threads(int n) { Eigen::setNbThreads(n < 1 ? 1 : n); }
#endif

template void gemm<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, float, const float*, std::int64_t,
                          const float*, std::int64_t, float, float*, std::int64_t);
template void gemm<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, double, const double*, std::int64_t,
                           const double*, std::int64_t, double, double*, std::int64_t);

}  // namespace enas::cpu
