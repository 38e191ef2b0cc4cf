// Launchers of the depthwise conv family (include/enas/backend/cuda/depthwise_conv.hpp).
#include "enas/backend/cuda/depthwise_conv.hpp"

#include <algorithm>

#include "kernels/conv_shape.cuh"
#include "kernels/depthwise_conv.cuh"
#include "kernels/plane_grid.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {

/// Images per blockIdx.z slice: enough slices (channels x image chunks) to fill the GPU with about
/// 2048 blocks, within CUDA's 65535 along z.
int images_per_chunk(const kernels::ConvShape& s, const kernels::PlaneLaunch& l) {
    const std::int64_t tiles = std::int64_t{l.grid.x} * l.grid.y * s.c_in;
    const std::int64_t wanted = std::clamp<std::int64_t>((2048 + tiles - 1) / tiles, 1, s.n);
    const std::int64_t chunks = std::min<std::int64_t>(wanted, std::max<std::int64_t>(65535 / s.c_in, 1));
    return static_cast<int>((s.n + chunks - 1) / chunks);
}

std::int64_t slices(const kernels::ConvShape& s, int per_chunk) {
    return std::int64_t{s.c_in} * ((s.n + per_chunk - 1) / per_chunk);
}

}  // namespace

void depthwise_conv2d_forward(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& x,
                              const Tensor<float, Cuda>& w, Tensor<float, Cuda>& y) {
    const ConvGeometry g = conv_geometry(x.shape(), w.shape(), p, "depthwise_conv2d");
    if (g.n * g.c_in * g.out_plane() == 0) return;
    const kernels::ConvShape s = conv_shape(g, "depthwise_conv2d");
    kernels::PlaneLaunch l = kernels::plane_launch(s.out_h, s.out_w, 1);
    const int per_chunk = images_per_chunk(s, l);
    l = kernels::plane_launch(s.out_h, s.out_w, slices(s, per_chunk));
    launch<kernels::depthwise_forward>(l.grid, l.block, 0, stream_of(ctx), s, per_chunk, x.data(), w.data(), y.data());
}

void depthwise_conv2d_backward_input(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& gy,
                                     const Tensor<float, Cuda>& w, Tensor<float, Cuda>& gx) {
    const ConvGeometry g = conv_geometry(gx.shape(), w.shape(), p, "depthwise_conv2d");
    if (g.n * g.c_in * g.in_plane() == 0) return;
    const kernels::ConvShape s = conv_shape(g, "depthwise_conv2d");
    kernels::PlaneLaunch l = kernels::plane_launch(s.h, s.w, 1);
    const int per_chunk = images_per_chunk(s, l);
    l = kernels::plane_launch(s.h, s.w, slices(s, per_chunk));
    const cudaStream_t stream = stream_of(ctx);
    if (s.stride_h == 1 && s.stride_w == 1)
        launch<kernels::depthwise_backward_input<1, 1>>(l.grid, l.block, 0, stream, s, per_chunk, gy.data(), w.data(),
                                                        gx.data());
    else if (s.stride_h == 2 && s.stride_w == 2)
        launch<kernels::depthwise_backward_input<2, 2>>(l.grid, l.block, 0, stream, s, per_chunk, gy.data(), w.data(),
                                                        gx.data());
    else
        launch<kernels::depthwise_backward_input<0, 0>>(l.grid, l.block, 0, stream, s, per_chunk, gy.data(), w.data(),
                                                        gx.data());
}

void depthwise_conv2d_backward_weight(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& x,
                                      const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gw) {
    const ConvGeometry g = conv_geometry(x.shape(), gw.shape(), p, "depthwise_conv2d");
    if (g.c_in == 0 || g.kernel_area() == 0) return;
    const kernels::ConvShape s = conv_shape(g, "depthwise_conv2d");
    const cudaStream_t stream = stream_of(ctx);
    // One block per channel and split of the images: about 264 blocks (two per SM of an H100).
    const int splits = static_cast<int>(std::clamp<std::int64_t>((264 + s.c_in - 1) / s.c_in, 1, std::max(s.n, 1)));
    const int per_split = std::max((s.n + splits - 1) / splits, 1);
    const int used = std::max((s.n + per_split - 1) / per_split, 1);
    const std::int64_t count = std::int64_t{s.c_in} * s.kh * s.kw;
    Tensor<float, Cuda> partial;
    if (used > 1) partial = ctx.template empty<float>(Shape{used, count});
    float* partial_data = used > 1 ? partial.data() : nullptr;
    const dim3 grid(static_cast<unsigned int>(s.c_in), static_cast<unsigned int>(used));
    constexpr unsigned int kBlock = kernels::kDepthwiseThreads;
    if (s.kh == 3 && s.kw == 3) {
        launch<kernels::depthwise_backward_weight<3>>(grid, kBlock, 0, stream, s, 0, per_split, x.data(), gy.data(),
                                                      gw.data(), partial_data);
    } else if (s.kh == 5 && s.kw == 5) {
        launch<kernels::depthwise_backward_weight<5>>(grid, kBlock, 0, stream, s, 0, per_split, x.data(), gy.data(),
                                                      gw.data(), partial_data);
    } else {
        for (int tap = 0; tap < s.kh * s.kw; tap += 25)
            launch<kernels::depthwise_backward_weight<0>>(grid, kBlock, 0, stream, s, tap, per_split, x.data(),
                                                          gy.data(), gw.data(), partial_data);
    }
    if (used > 1)
        launch<kernels::depthwise_add_partials>(grid_stride_blocks(count, 256), 256, 0, stream, partial.data(), used,
                                                count, gw.data());
}

}  // namespace enas::cuda
