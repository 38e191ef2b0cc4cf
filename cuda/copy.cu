// Launchers of the copy family (include/enas/backend/cuda/copy.hpp).
#include <algorithm>

#include "enas/backend/cuda/copy.hpp"
#include "kernels/copy.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {
constexpr unsigned int kBlock = 256;

/// Elements per index of dimension 1 (the product of dimensions 2 and up).
std::int64_t inner_size(const Tensor<float, Cuda>& t) {
    std::int64_t inner = 1;
    for (int d = 2; d < t.rank(); ++d) inner *= t.dim(d);
    return inner;
}

template <bool kAccumulate>
void copy_rows(Context<Cuda>& ctx, const float* src, std::int64_t src_row, std::int64_t src_at, float* dst,
               std::int64_t dst_row, std::int64_t dst_at, std::int64_t rows, std::int64_t len) {
    if (rows * len == 0) return;
    const dim3 grid(static_cast<unsigned int>(std::clamp<std::int64_t>((len + kBlock - 1) / kBlock, 1, 1024)),
                    static_cast<unsigned int>(std::min<std::int64_t>(rows, 65535)));
    launch<kernels::copy_rows<kAccumulate>>(grid, kBlock, 0, stream_of(ctx), src, src_row, src_at, dst, dst_row, dst_at,
                                            rows, len);
}

std::int64_t in_range_count(std::int64_t size, std::int64_t offset, std::int64_t stride) {
    return offset < size ? (size - offset + stride - 1) / stride : 0;
}

kernels::SubsampleGeometry subsample_geometry(std::int64_t offset, std::int64_t stride, const Shape& big,
                                              const Shape& small) {
    kernels::SubsampleGeometry g{};
    g.planes = big[0] * big[1];
    g.h = big[2];
    g.w = big[3];
    g.ho = small[2];
    g.wo = small[3];
    g.rows_in = std::min(g.ho, in_range_count(g.h, offset, stride));
    g.cols_in = std::min(g.wo, in_range_count(g.w, offset, stride));
    g.offset = offset;
    g.stride = stride;
    return g;
}
}  // namespace

void concat_forward(Context<Cuda>& ctx, std::span<const Tensor<float, Cuda>> xs, Tensor<float, Cuda>& y) {
    const std::int64_t outer = y.dim(0), inner = inner_size(y), y_row = y.dim(1) * inner;
    std::int64_t channel = 0;
    for (const Tensor<float, Cuda>& x : xs) {  // one launch per input: ENAS concatenates a few
        const std::int64_t len = x.dim(1) * inner;
        copy_rows<false>(ctx, x.data(), len, 0, y.data(), y_row, channel * inner, outer, len);
        channel += x.dim(1);
    }
}

void concat_backward(Context<Cuda>& ctx, std::int64_t start, const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gx) {
    const std::int64_t inner = inner_size(gx), len = gx.dim(1) * inner;
    copy_rows<true>(ctx, gy.data(), gy.dim(1) * inner, start * inner, gx.data(), len, 0, gx.dim(0), len);
}

void slice_forward(Context<Cuda>& ctx, std::int64_t start, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y) {
    const std::int64_t inner = inner_size(y), len = y.dim(1) * inner;
    copy_rows<false>(ctx, x.data(), x.dim(1) * inner, start * inner, y.data(), len, 0, y.dim(0), len);
}

void slice_backward(Context<Cuda>& ctx, std::int64_t start, const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gx) {
    const std::int64_t inner = inner_size(gy), len = gy.dim(1) * inner;
    copy_rows<true>(ctx, gy.data(), len, 0, gx.data(), gx.dim(1) * inner, start * inner, gy.dim(0), len);
}

void shifted_subsample_forward(Context<Cuda>& ctx, std::int64_t offset, std::int64_t stride,
                               const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y) {
    const kernels::SubsampleGeometry g = subsample_geometry(offset, stride, x.shape(), y.shape());
    if (y.numel() == 0) return;
    const kernels::PlaneLaunch l = kernels::plane_launch(static_cast<int>(g.ho), static_cast<int>(g.wo), g.planes);
    launch<kernels::shifted_subsample_forward>(l.grid, l.block, 0, stream_of(ctx), x.data(), y.data(), g);
}

void shifted_subsample_backward(Context<Cuda>& ctx, std::int64_t offset, std::int64_t stride,
                                const Tensor<float, Cuda>& gy, Tensor<float, Cuda>& gx) {
    const kernels::SubsampleGeometry g = subsample_geometry(offset, stride, gx.shape(), gy.shape());
    const std::int64_t n = g.planes * g.rows_in * g.cols_in;
    if (n == 0) return;
    const kernels::PlaneLaunch l =
        kernels::plane_launch(static_cast<int>(g.rows_in), static_cast<int>(g.cols_in), g.planes);
    launch<kernels::shifted_subsample_backward>(l.grid, l.block, 0, stream_of(ctx), gy.data(), gx.data(), g);
}

}  // namespace enas::cuda
