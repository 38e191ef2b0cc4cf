// Launchers of the reduce family (include/enas/backend/cuda/reduce.hpp).
#include "enas/backend/cuda/reduce.hpp"
#include "kernels/reduce.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {
constexpr int kBlock = 256;
constexpr unsigned int kMaxPartials = 1024;  // blocks of the first pass of a whole-tensor sum

template <bool kSquare>
void whole_sum(Context<Cuda>& ctx, double alpha, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y) {
    const std::int64_t n = x.numel();
    const unsigned int blocks = grid_stride_blocks(n, kBlock, kMaxPartials);
    Tensor<double, Cuda> partial = ctx.empty<double>({static_cast<std::int64_t>(blocks)});
    launch<kernels::partial_sums<kBlock, kSquare>>(blocks, kBlock, 0, stream_of(ctx), x.data(), n, partial.data());
    launch<kernels::finish_sum<kBlock, float>>(1, kBlock, 0, stream_of(ctx), partial.data(), static_cast<int>(blocks),
                                               alpha, y.data());
}
}  // namespace

void global_avg_pool_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y) {
    const std::int64_t planes = x.dim(0) * x.dim(1), plane = x.dim(2) * x.dim(3);
    if (planes == 0) return;
    constexpr unsigned int kWarpsPerBlock = kBlock / 32;
    launch<kernels::global_avg_pool_forward>(grid_stride_blocks(planes, kWarpsPerBlock, 65535), kBlock, 0,
                                             stream_of(ctx), x.data(), y.data(), planes, plane);
}

void global_avg_pool_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gx) {
    const std::int64_t n = gx.numel(), plane = gx.dim(2) * gx.dim(3);
    if (n == 0) return;
    launch<kernels::global_avg_pool_backward>(grid_stride_blocks(n, kBlock), kBlock, 0, stream_of(ctx), gy.data(),
                                              gx.data(), n, plane);
}

void sum_forward(Context<Cuda>& ctx, double alpha, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y) {
    whole_sum<false>(ctx, alpha, x, y);
}

void sum_backward(Context<Cuda>& ctx, double alpha, const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gx) {
    if (gx.numel() == 0) return;
    launch<kernels::sum_backward>(grid_stride_blocks(gx.numel(), kBlock), kBlock, 0, stream_of(ctx), alpha, gy.data(),
                                  gx.data(), gx.numel());
}

void sum_squares_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y) {
    whole_sum<true>(ctx, 1.0, x, y);
}

void sum_squares_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& gy,
                          Tensor<float, Cuda>& gx) {
    if (x.numel() == 0) return;
    launch<kernels::sum_squares_backward>(grid_stride_blocks(x.numel(), kBlock), kBlock, 0, stream_of(ctx), x.data(),
                                          gy.data(), gx.data(), x.numel());
}

}  // namespace enas::cuda
