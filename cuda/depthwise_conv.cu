// Launchers of the depthwise conv family (include/enas/backend/cuda/depthwise_conv.hpp).
#include "enas/backend/cuda/depthwise_conv.hpp"
#include "kernels/conv_shape.cuh"
#include "kernels/depthwise_conv.cuh"
#include "launch_support.cuh"

namespace enas::cuda {

void depthwise_conv2d_forward(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& x,
                              const Tensor<float, Cuda>& w, Tensor<float, Cuda>& y) {
    const ConvGeometry g = conv_geometry(x.shape(), w.shape(), p, "depthwise_conv2d");
    const std::int64_t count = g.n * g.c_in * g.out_plane();
    if (count == 0) return;
    launch<kernels::depthwise_forward>(grid_stride_blocks(count, kernels::kDepthwiseThreads),
                                       kernels::kDepthwiseThreads, 0, stream_of(ctx), conv_shape(g, "depthwise_conv2d"),
                                       x.data(), w.data(), y.data());
}

void depthwise_conv2d_backward_input(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& gy,
                                     const Tensor<float, Cuda>& w, Tensor<float, Cuda>& gx) {
    const ConvGeometry g = conv_geometry(gx.shape(), w.shape(), p, "depthwise_conv2d");
    const std::int64_t count = g.n * g.c_in * g.in_plane();
    if (count == 0) return;
    launch<kernels::depthwise_backward_input>(grid_stride_blocks(count, kernels::kDepthwiseThreads),
                                              kernels::kDepthwiseThreads, 0, stream_of(ctx),
                                              conv_shape(g, "depthwise_conv2d"), gy.data(), w.data(), gx.data());
}

void depthwise_conv2d_backward_weight(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& x,
                                      const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gw) {
    const ConvGeometry g = conv_geometry(x.shape(), gw.shape(), p, "depthwise_conv2d");
    if (g.c_in == 0) return;
    check<ValueError>(g.c_in <= 65535, "depthwise_conv2d: ", g.c_in,
                      " channels exceed the CUDA weight-gradient grid (at most 65535)");
    const dim3 grid(static_cast<unsigned int>(g.kernel_area()), static_cast<unsigned int>(g.c_in));
    launch<kernels::depthwise_backward_weight>(grid, kernels::kDepthwiseThreads, 0, stream_of(ctx),
                                               conv_shape(g, "depthwise_conv2d"), x.data(), gy.data(), gw.data());
}

}  // namespace enas::cuda
