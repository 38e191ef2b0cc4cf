// Launchers of the dropout family (include/enas/backend/cuda/dropout.hpp).
#include "enas/backend/cuda/dropout.hpp"
#include "kernels/dropout.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {
constexpr unsigned int kBlock = 256;

template <kernels::DropoutMode kMode>
void apply_draw(Context<Cuda>& ctx, const DropoutDraw& d, const float* in, float* out, std::int64_t n) {
    if (n == 0) return;
    const std::uint32_t limit = dropout_keep_limit(d.keep_prob);
    const auto scale = static_cast<float>(1.0 / d.keep_prob);
    launch<kernels::dropout_apply<kMode>>(grid_stride_blocks((n + 3) / 4, kBlock), kBlock, 0, stream_of(ctx), d.seed,
                                          d.base, limit, scale, in, out, n);
}

template <auto Kernel>
void apply_mask(Context<Cuda>& ctx, const Tensor<float, Cuda>& in, const Tensor<float, Cuda>& mask,
                Tensor<float, Cuda>& out, std::int64_t period) {
    const std::int64_t n = in.numel();
    if (n == 0) return;
    launch<Kernel>(grid_stride_blocks(n, kBlock), kBlock, 0, stream_of(ctx), in.data(), mask.data(), out.data(), n,
                   period);
}
}  // namespace

void dropout_forward(Context<Cuda>& ctx, const DropoutDraw& d, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y) {
    apply_draw<kernels::DropoutMode::Forward>(ctx, d, x.data(), y.data(), x.numel());
}

void dropout_backward(Context<Cuda>& ctx, const DropoutDraw& d, const Tensor<float, Cuda>& gy,
                      Tensor<float, Cuda>& gx) {
    apply_draw<kernels::DropoutMode::Backward>(ctx, d, gy.data(), gx.data(), gy.numel());
}

void dropout_mask(Context<Cuda>& ctx, const DropoutDraw& d, Tensor<float, Cuda>& mask) {
    apply_draw<kernels::DropoutMode::Mask>(ctx, d, nullptr, mask.data(), mask.numel());
}

void row_mask_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& mask,
                      Tensor<float, Cuda>& y) {
    if (mask.numel() == 0) return;
    apply_mask<kernels::row_mask_forward>(ctx, x, mask, y, x.numel() / mask.numel());
}

void row_mask_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& gy, const Tensor<float, Cuda>& mask,
                       Tensor<float, Cuda>& gx) {
    if (mask.numel() == 0) return;
    apply_mask<kernels::row_mask_backward>(ctx, gy, mask, gx, gy.numel() / mask.numel());
}

void locked_mask_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& mask,
                         Tensor<float, Cuda>& y) {
    apply_mask<kernels::locked_mask_forward>(ctx, x, mask, y, mask.numel());
}

void locked_mask_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& gy, const Tensor<float, Cuda>& mask,
                          Tensor<float, Cuda>& gx) {
    apply_mask<kernels::locked_mask_backward>(ctx, gy, mask, gx, mask.numel());
}

}  // namespace enas::cuda
