// The Cuda device's GEMM (include/enas/backend/cuda/gemm.hpp): cuBLAS in the real build, our
// tiled kernel everywhere.
#include <limits>

#include "enas/backend/cuda/gemm.hpp"
#include "kernels/gemm.cuh"
#include "launch_support.cuh"

#if defined(__CUDACC__)
#include <cublas_v2.h>
#endif

namespace enas::cuda {
namespace {

void gemm_tiled(cudaStream_t stream, bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                float alpha, const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
                std::int64_t ldc) {
    const dim3 grid(blocks_for(n, kernels::kGemmTile), blocks_for(m, kernels::kGemmTile));
    check<ValueError>(grid.y <= 65535u, "gemm: m = ", m, " rows exceed the tiled kernel's grid (65535 x 64 rows)");
    const unsigned int block = kernels::kGemmThreads;
    if (!trans_a && !trans_b)
        launch<kernels::gemm_tiled<false, false>>(grid, block, 0, stream, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    else if (!trans_a && trans_b)
        launch<kernels::gemm_tiled<false, true>>(grid, block, 0, stream, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    else if (trans_a && !trans_b)
        launch<kernels::gemm_tiled<true, false>>(grid, block, 0, stream, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    else
        launch<kernels::gemm_tiled<true, true>>(grid, block, 0, stream, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

#if defined(__CUDACC__)
const char* cublas_status_name(cublasStatus_t s) {
    switch (s) {
        case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
        case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
        case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
        case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
        case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
        case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
        case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
        default: return "cuBLAS error";
    }
}

void check_cublas(cublasStatus_t s, const char* what) {
    if (s != CUBLAS_STATUS_SUCCESS) throw CudaError(::enas::detail::concat(what, " failed: ", cublas_status_name(s)));
}

/// The context's cuBLAS handle, created on first use and destroyed with the context.
cublasHandle_t cublas_handle(Context<Cuda>& ctx) {
    std::shared_ptr<void>& slot = ctx.library_handle(Context<Cuda>::Library::Cublas);
    if (!slot) {
        cublasHandle_t handle = nullptr;
        check_cublas(cublasCreate(&handle), "cublasCreate");
        slot = std::shared_ptr<void>(handle, [](void* h) { cublasDestroy(static_cast<cublasHandle_t>(h)); });
    }
    auto handle = static_cast<cublasHandle_t>(slot.get());
    check_cublas(cublasSetStream(handle, stream_of(ctx)), "cublasSetStream");
    return handle;
}

void gemm_cublas(Context<Cuda>& ctx, bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                 float alpha, const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
                 std::int64_t ldc) {
    constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
    check<ValueError>(
        m <= kIntMax && n <= kIntMax && k <= kIntMax && lda <= kIntMax && ldb <= kIntMax && ldc <= kIntMax,
        "gemm: sizes exceed cuBLAS's 32-bit ints (m ", m, ", n ", n, ", k ", k, ")");
    // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands.
    check_cublas(
        cublasSgemm(cublas_handle(ctx), trans_b ? CUBLAS_OP_T : CUBLAS_OP_N, trans_a ? CUBLAS_OP_T : CUBLAS_OP_N,
                    static_cast<int>(n), static_cast<int>(m), static_cast<int>(k), &alpha, b, static_cast<int>(ldb), a,
                    static_cast<int>(lda), &beta, c, static_cast<int>(ldc)),
        "cublasSgemm");
}
#endif

}  // namespace

bool has_cublas() {
#if defined(__CUDACC__)
    return true;
#else
    return false;
#endif
}

void gemm(Context<Cuda>& ctx, bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
          const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc,
          GemmPath path) {
    if (m == 0 || n == 0) return;
    if (path == GemmPath::Auto) path = has_cublas() && m * n * k >= kCublasMinWork ? GemmPath::Cublas : GemmPath::Tiled;
    if (path == GemmPath::Cublas) {
#if defined(__CUDACC__)
        gemm_cublas(ctx, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
#else
        throw CudaError("gemm: GemmPath::Cublas requested, but this build has no cuBLAS (the emulated build)");
#endif
    }
    gemm_tiled(stream_of(ctx), trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace enas::cuda
