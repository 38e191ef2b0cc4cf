// The geometry of a conv as the conv kernels (dense and depthwise) take it: ints, passed by value,
// built on the host from enas::ConvGeometry with a check that every index the kernels form fits in
// an int. No kernels here, so both kernel files may include it.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>

#include "enas/backend/cpu/conv_geometry.hpp"

namespace enas::cuda {
namespace kernels {

/// One NCHW conv: input [n, c_in, h, w], weights [c_out, c_in or 1, kh, kw], output
/// [n, c_out, out_h, out_w], TF pads at the top / left (the rest follows from the sizes).
struct ConvShape {
    int n, c_in, h, w;
    int c_out, kh, kw;
    int stride_h, stride_w, pad_top, pad_left;
    int out_h, out_w;
};

}  // namespace kernels

/// `g` as a kernels::ConvShape; throws ValueError naming `op` when an input, output or weight
/// tensor has more than INT_MAX elements.
inline kernels::ConvShape conv_shape(const ConvGeometry& g, const char* op) {
    const std::int64_t limit = std::numeric_limits<int>::max();
    const std::int64_t largest = std::max({g.n * g.c_in * g.in_plane(), g.n * g.c_out * g.out_plane(),
                                           g.c_out * g.patch_size(), g.n * g.out_plane() * g.kernel_area()});
    check<ValueError>(largest <= limit, op, ": tensors of ", largest,
                      " elements are too large for the CUDA kernels (at most ", limit, ")");
    auto i = [](std::int64_t v) { return static_cast<int>(v); };
    return kernels::ConvShape{i(g.n),        i(g.c_in),     i(g.h),       i(g.w),        i(g.c_out), i(g.kh),   i(g.kw),
                              i(g.stride_h), i(g.stride_w), i(g.pad_top), i(g.pad_left), i(g.out_h), i(g.out_w)};
}

}  // namespace enas::cuda
