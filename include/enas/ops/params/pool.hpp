// Parameters of the pool family, shared by every device: the window, strides and padding of a 2-D
// pool, and the clipped-window geometry of one pooled dimension (PoolAxis) that the CPU kernels and
// the CUDA launchers both derive their loops from. Plain C++: no tensor or backend dependency.
#pragma once
#include <algorithm>
#include <cstdint>

#include "enas/ops/params/conv.hpp"  // Padding, padded_extent

namespace enas {

/// Window size, strides and padding of a 2-D pool.
struct Pool2dParams {
    int kernel_h = 3;
    int kernel_w = 3;
    int stride_h = 1;
    int stride_w = 1;
    Padding padding = Padding::Same;  ///< TF SAME or VALID (ops/params/conv.hpp)
};

/// The geometry of one pooled dimension: output size, leading padding, and the clipped window of
/// each output position. Padding never contributes: windows are clipped to [0, in).
struct PoolAxis {
    std::int64_t in = 0, out = 0, pad_before = 0;
    int kernel = 1, stride = 1;

    /// First input index of output o's window, clipped to the input.
    std::int64_t begin(std::int64_t o) const { return std::max<std::int64_t>(o * stride - pad_before, 0); }
    /// One past the last input index of output o's window, clipped to the input.
    std::int64_t end(std::int64_t o) const { return std::min<std::int64_t>(o * stride - pad_before + kernel, in); }
    /// Outputs [interior_begin, interior_end) have windows entirely inside the input.
    std::int64_t interior_begin() const { return std::min(out, (pad_before + stride - 1) / stride); }
    std::int64_t interior_end() const {
        const std::int64_t last = in - kernel + pad_before;  // largest o * stride allowed
        const std::int64_t e = last < 0 ? 0 : std::min(out, last / stride + 1);
        return std::max(e, interior_begin());
    }
};

/// The axis of an input dimension of size `in` (>= 1) pooled with `kernel` and `stride` (>= 1),
/// with TF's SAME / VALID arithmetic (padded_extent). For Valid the caller guarantees in >= kernel.
inline PoolAxis pool_axis(std::int64_t in, int kernel, int stride, Padding padding) {
    const PaddedExtent e = padded_extent(in, kernel, stride, padding, "pool");
    PoolAxis a;
    a.in = in;
    a.out = e.out;
    a.pad_before = e.pad_before;
    a.kernel = kernel;
    a.stride = stride;
    return a;
}

}  // namespace enas
