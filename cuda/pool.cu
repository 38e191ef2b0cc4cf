// Launchers of the pool family (include/enas/backend/cuda/pool.hpp).
#include "enas/backend/cuda/pool.hpp"
#include "kernels/pool.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {

/// The pool of input shape `in` ([N, C, H, W]) under `p`, as the kernels take it.
kernels::PoolShape pool_shape(const Shape& in, const Pool2dParams& p) {
    const PoolAxis ah = pool_axis(in[2], p.kernel_h, p.stride_h, p.padding);
    const PoolAxis aw = pool_axis(in[3], p.kernel_w, p.stride_w, p.padding);
    auto i = [](std::int64_t v) { return static_cast<int>(v); };
    return kernels::PoolShape{in[0] * in[1], i(ah.in),   i(aw.in),   i(ah.out),        i(aw.out),       p.kernel_h,
                              p.kernel_w,    p.stride_h, p.stride_w, i(ah.pad_before), i(aw.pad_before)};
}

std::int64_t outputs(const kernels::PoolShape& s) { return s.planes * s.out_h * s.out_w; }

}  // namespace

void avg_pool2d_forward(Context<Cuda>& ctx, const Pool2dParams& p, const Tensor<float, Cuda>& x,
                        Tensor<float, Cuda>& y) {
    const kernels::PoolShape s = pool_shape(x.shape(), p);
    if (outputs(s) == 0) return;
    const kernels::PlaneLaunch l = kernels::plane_launch(s.out_h, s.out_w, s.planes);
    launch<kernels::avg_pool_forward>(l.grid, l.block, 0, stream_of(ctx), s, x.data(), y.data());
}

void avg_pool2d_backward(Context<Cuda>& ctx, const Pool2dParams& p, const Tensor<float, Cuda>& gy,
                         Tensor<float, Cuda>& gx) {
    const kernels::PoolShape s = pool_shape(gx.shape(), p);
    const std::int64_t inputs = gx.numel();
    if (inputs == 0) return;
    const kernels::PlaneLaunch l = kernels::plane_launch(s.h, s.w, s.planes);
    launch<kernels::avg_pool_backward>(l.grid, l.block, 0, stream_of(ctx), s, gy.data(), gx.data());
}

void max_pool2d_forward(Context<Cuda>& ctx, const Pool2dParams& p, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y,
                        Tensor<std::int32_t, Cuda>& argmax) {
    const kernels::PoolShape s = pool_shape(x.shape(), p);
    if (outputs(s) == 0) return;
    const kernels::PlaneLaunch l = kernels::plane_launch(s.out_h, s.out_w, s.planes);
    launch<kernels::max_pool_forward>(l.grid, l.block, 0, stream_of(ctx), s, x.data(), y.data(),
                                      argmax.defined() ? argmax.data() : nullptr);
}

void max_pool2d_backward(Context<Cuda>& ctx, const Tensor<std::int32_t, Cuda>& argmax, const Tensor<float, Cuda>& gy,
                         Tensor<float, Cuda>& gx) {
    const std::int64_t planes = gx.dim(0) * gx.dim(1), plane_in = gx.dim(2) * gx.dim(3);
    const std::int64_t plane_out = gy.dim(2) * gy.dim(3);
    if (planes * plane_out == 0) return;
    constexpr unsigned int kWarps = kernels::kMaxPoolBackwardWarps;  // one warp per plane
    launch<kernels::max_pool_backward>(grid_stride_blocks(planes, kWarps, 65535), 32 * kWarps, 0, stream_of(ctx),
                                       planes, plane_out, plane_in, argmax.data(), gy.data(), gx.data());
}

}  // namespace enas::cuda
