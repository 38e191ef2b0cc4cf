// Launchers of the dense conv family (include/enas/backend/cuda/conv.hpp): every pass is the tiled
// implicit GEMM of kernels/conv.cuh; backward-weight splits its long reduction over blocks when
// the weight gradient alone has too few tiles to fill the GPU.
#include <algorithm>

#include "enas/backend/cuda/conv.hpp"
#include "kernels/conv.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {

/// Blocks a backward-weight pass aims for (splitting k until it has about this many), and the
/// least depth of k a split gets (shorter splits cost more in partial sums than they gain).
constexpr std::int64_t kTargetBlocks = 256;
constexpr std::int64_t kMinSplitDepth = 512;

template <class Gemm>
void run_gemm(const Gemm& gemm, std::int64_t rows, std::int64_t cols, std::int64_t depth, int splits,
              cudaStream_t stream) {
    const int k_steps = static_cast<int>((depth + kernels::kConvTileK - 1) / kernels::kConvTileK);
    const int k_per_split = (k_steps + splits - 1) / splits * kernels::kConvTileK;
    const dim3 grid(blocks_for(cols, kernels::kConvTile), blocks_for(rows, kernels::kConvTile),
                    static_cast<unsigned int>(splits));
    launch<kernels::conv_implicit_gemm<Gemm>>(grid, kernels::kConvThreads, 0, stream, gemm, k_per_split);
}

}  // namespace

void conv2d_forward(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& x,
                    const Tensor<float, Cuda>& w, Tensor<float, Cuda>& y) {
    const ConvGeometry g = conv_geometry(x.shape(), w.shape(), p);
    if (g.n * g.c_out * g.out_plane() == 0) return;
    const kernels::ConvForwardGemm gemm{conv_shape(g, "conv2d"), x.data(), w.data(), y.data()};
    run_gemm(gemm, g.c_out, g.n * g.out_plane(), g.patch_size(), 1, stream_of(ctx));
}

void conv2d_backward_input(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& gy,
                           const Tensor<float, Cuda>& w, Tensor<float, Cuda>& gx) {
    const ConvGeometry g = conv_geometry(gx.shape(), w.shape(), p);
    if (g.n * g.c_in * g.in_plane() == 0) return;
    const kernels::ConvBackwardInputGemm gemm{conv_shape(g, "conv2d"), gy.data(), w.data(), gx.data()};
    run_gemm(gemm, g.c_in, g.n * g.in_plane(), g.c_out * g.kernel_area(), 1, stream_of(ctx));
}

void conv2d_backward_weight(Context<Cuda>& ctx, const Conv2dParams& p, const Tensor<float, Cuda>& x,
                            const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gw) {
    const ConvGeometry g = conv_geometry(x.shape(), gw.shape(), p);
    const std::int64_t rows = g.c_out, cols = g.patch_size(), depth = g.n * g.out_plane();
    if (rows * cols == 0 || depth == 0) return;
    const std::int64_t tiles =
        blocks_for(rows, kernels::kConvTile) * std::int64_t{blocks_for(cols, kernels::kConvTile)};
    const auto splits =
        static_cast<int>(std::clamp<std::int64_t>(std::min(kTargetBlocks / tiles, depth / kMinSplitDepth), 1, 1024));
    const cudaStream_t stream = stream_of(ctx);
    const kernels::ConvShape shape = conv_shape(g, "conv2d");
    if (splits == 1) {
        run_gemm(kernels::ConvBackwardWeightGemm{shape, x.data(), gy.data(), gw.data(), nullptr}, rows, cols, depth, 1,
                 stream);
        return;
    }
    Tensor<float, Cuda> partial = ctx.template empty<float>(Shape{splits, rows * cols});
    run_gemm(kernels::ConvBackwardWeightGemm{shape, x.data(), gy.data(), gw.data(), partial.data()}, rows, cols, depth,
             splits, stream);
    launch<kernels::add_split_partials>(grid_stride_blocks(rows * cols, 256), 256, 0, stream, partial.data(), splits,
                                        rows * cols, gw.data());
}

}  // namespace enas::cuda
