// Launchers of the elementwise family (include/enas/backend/cuda/elementwise.hpp).
#include "enas/backend/cuda/elementwise.hpp"
#include "kernels/elementwise.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {
constexpr unsigned int kBlock = 256;

template <auto Kernel, class... Args>
void launch_over(Context<Cuda>& ctx, std::int64_t n, Args&&... args) {
    if (n == 0) return;
    launch<Kernel>(grid_stride_blocks(n, kBlock), kBlock, 0, stream_of(ctx), std::forward<Args>(args)..., n);
}
}  // namespace

void activation_forward(Context<Cuda>& ctx, Activation a, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y) {
    launch_over<kernels::activation_forward>(ctx, x.numel(), a, x.data(), y.data());
}

void activation_backward(Context<Cuda>& ctx, Activation a, const Tensor<float, Cuda>& y, const Tensor<float, Cuda>& gy,
                         Tensor<float, Cuda>& gx) {
    launch_over<kernels::activation_backward>(ctx, y.numel(), a, y.data(), gy.data(), gx.data());
}

void add_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& a, const Tensor<float, Cuda>& b,
                 Tensor<float, Cuda>& y) {
    launch_over<kernels::add_forward>(ctx, a.numel(), a.data(), b.data(), y.data());
}

void mul_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& a, const Tensor<float, Cuda>& b,
                 Tensor<float, Cuda>& y) {
    launch_over<kernels::mul_forward>(ctx, a.numel(), a.data(), b.data(), y.data());
}

void mul_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& gy, const Tensor<float, Cuda>& b,
                  Tensor<float, Cuda>& ga) {
    launch_over<kernels::mul_backward>(ctx, gy.numel(), gy.data(), b.data(), ga.data());
}

void scale_forward(Context<Cuda>& ctx, float alpha, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y) {
    launch_over<kernels::scale_forward>(ctx, x.numel(), alpha, x.data(), y.data());
}

void axpy(Context<Cuda>& ctx, float alpha, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y) {
    launch_over<kernels::axpy>(ctx, x.numel(), alpha, x.data(), y.data());
}

}  // namespace enas::cuda
