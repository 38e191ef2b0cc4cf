// Launchers of the matmul family (include/enas/backend/cuda/matmul.hpp): the CPU kernels' gemm
// calls, one for one, on enas::cuda::gemm.
#include "enas/backend/cuda/matmul.hpp"
#include "kernels/matmul.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {
constexpr unsigned int kBlock = 256;
}

void matmul_forward(Context<Cuda>& ctx, bool trans_a, bool trans_b, const Tensor<float, Cuda>& a,
                    const Tensor<float, Cuda>& b, Tensor<float, Cuda>& y) {
    const std::int64_t m = y.dim(0), n = y.dim(1), k = trans_a ? a.dim(0) : a.dim(1);
    gemm(ctx, trans_a, trans_b, m, n, k, 1.0f, a.data(), a.dim(1), b.data(), b.dim(1), 0.0f, y.data(), n);
}

void matmul_backward_a(Context<Cuda>& ctx, bool trans_a, bool trans_b, const Tensor<float, Cuda>& b,
                       const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& ga) {
    const std::int64_t m = gy.dim(0), n = gy.dim(1), k = trans_a ? ga.dim(0) : ga.dim(1);
    if (!trans_a)  // [M, K] += gy [M, N] * op(b)^T [N, K]
        gemm(ctx, false, !trans_b, m, k, n, 1.0f, gy.data(), n, b.data(), b.dim(1), 1.0f, ga.data(), k);
    else  // [K, M] += op(b) [K, N] * gy^T [N, M]
        gemm(ctx, trans_b, true, k, m, n, 1.0f, b.data(), b.dim(1), gy.data(), n, 1.0f, ga.data(), m);
}

void matmul_backward_b(Context<Cuda>& ctx, bool trans_a, bool trans_b, const Tensor<float, Cuda>& a,
                       const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gb) {
    const std::int64_t m = gy.dim(0), n = gy.dim(1), k = trans_b ? gb.dim(1) : gb.dim(0);
    if (!trans_b)  // [K, N] += op(a)^T [K, M] * gy [M, N]
        gemm(ctx, !trans_a, false, k, n, m, 1.0f, a.data(), a.dim(1), gy.data(), n, 1.0f, gb.data(), n);
    else  // [N, K] += gy^T [N, M] * op(a) [M, K]
        gemm(ctx, true, trans_a, n, k, m, 1.0f, gy.data(), n, a.data(), a.dim(1), 1.0f, gb.data(), k);
}

void linear_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& w,
                    const Tensor<float, Cuda>& bias, Tensor<float, Cuda>& y) {
    const std::int64_t rows = x.dim(0), in = x.dim(1), out = w.dim(0);
    float beta = 0.0f;
    if (bias.defined() && rows * out > 0) {  // start every row from the bias, then accumulate onto it
        launch<kernels::broadcast_rows>(grid_stride_blocks(rows * out, kBlock), kBlock, 0, stream_of(ctx), bias.data(),
                                        y.data(), rows, out);
        beta = 1.0f;
    }
    gemm(ctx, false, true, rows, out, in, 1.0f, x.data(), in, w.data(), in, beta, y.data(), out);
}

void linear_backward_input(Context<Cuda>& ctx, const Tensor<float, Cuda>& w, const Tensor<float, Cuda>& gy,
                           Tensor<float, Cuda>& gx) {
    const std::int64_t rows = gy.dim(0), out = w.dim(0), in = w.dim(1);
    gemm(ctx, false, false, rows, in, out, 1.0f, gy.data(), out, w.data(), in, 1.0f, gx.data(), in);
}

void linear_backward_weight(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& gy,
                            Tensor<float, Cuda>& gw) {
    const std::int64_t rows = x.dim(0), in = x.dim(1), out = gy.dim(1);
    gemm(ctx, true, false, out, in, rows, 1.0f, gy.data(), out, x.data(), in, 1.0f, gw.data(), in);
}

void linear_backward_bias(Context<Cuda>& ctx, const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gbias) {
    const std::int64_t rows = gy.dim(0), out = gy.dim(1);
    if (out == 0) return;
    launch<kernels::column_sums_accumulate>(grid_stride_blocks(out, kBlock), kBlock, 0, stream_of(ctx), gy.data(),
                                            gbias.data(), rows, out);
}

}  // namespace enas::cuda
