// The Cuda device's GEMM (cuda/gemm.cu), row-major like enas::cpu::gemm:
//   C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C,  op(X) = X or X^T,
// with device pointers and leading dimensions in elements. With beta == 0, C is never read.
// Two implementations: cuBLAS (real build only; its handle lives in the context) and our own tiled
// shared-memory kernel (every build; the only one in the emulated build). The launchers of the
// matmul family use it; other launchers (conv) may too.
#pragma once
#include <cstdint>

#include "enas/core/context.hpp"

namespace enas::cuda {

enum class GemmPath {
    Auto,    ///< cuBLAS for products of at least kCublasMinWork multiply-adds when built with it, else tiled
    Tiled,   ///< our tiled kernel
    Cublas,  ///< cuBLAS (throws CudaError in a build without it, i.e. the emulated build)
};

/// m * n * k from which GemmPath::Auto uses cuBLAS (smaller products are launch-bound either way).
inline constexpr std::int64_t kCublasMinWork = std::int64_t{64} * 64 * 64;

/// True when this build links cuBLAS (the real CUDA build).
bool has_cublas();

void gemm(Context<Cuda>& ctx, bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
          const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc,
          GemmPath path = GemmPath::Auto);

}  // namespace enas::cuda
