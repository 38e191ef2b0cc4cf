// Geometry shared by the dense and depthwise conv families: TensorFlow's SAME / VALID padding
// arithmetic, the parameters of a 2-D convolution and the sizes they imply for NCHW tensors.
// Plain C++ with no tensor or backend dependency, so CUDA launchers can use it too.
#pragma once
#include <cstdint>

#include "enas/core/error.hpp"
#include "enas/core/shape.hpp"

namespace enas {

/// Padding modes of TensorFlow convolutions and pools.
///  - Same:  out = ceil(in / stride); pad_total = max((out - 1) * stride + k - in, 0),
///           pad_before = pad_total / 2 (floor), pad_after = the rest. Stride 2 or an even kernel
///           therefore pads more at the bottom / right than at the top / left.
///  - Valid: no padding; out = ceil((in - k + 1) / stride), which needs in >= k.
enum class Padding { Same, Valid };

inline const char* padding_name(Padding p) { return p == Padding::Same ? "same" : "valid"; }

/// Parameters of a 2-D convolution (dense or depthwise). No dilation, no bias.
struct Conv2dParams {
    int stride_h = 1;
    int stride_w = 1;
    Padding padding = Padding::Same;
};

/// Output length and padding of one spatial dimension.
struct PaddedExtent {
    std::int64_t out = 0;
    std::int64_t pad_before = 0;
    std::int64_t pad_after = 0;
};

/// Output length and pads of a window of size k sliding with `stride` over `in` elements. Throws
/// ValueError for a non-positive size, kernel or stride, or a VALID window larger than the input.
inline PaddedExtent padded_extent(std::int64_t in, std::int64_t k, std::int64_t stride, Padding padding,
                                  const char* what = "conv") {
    check<ValueError>(in > 0 && k > 0 && stride > 0, what, ": input size ", in, ", kernel size ", k, " and stride ",
                      stride, " must all be positive");
    PaddedExtent e;
    if (padding == Padding::Same) {
        e.out = (in + stride - 1) / stride;
        const std::int64_t total = (e.out - 1) * stride + k - in;
        const std::int64_t pad = total > 0 ? total : 0;
        e.pad_before = pad / 2;
        e.pad_after = pad - e.pad_before;
    } else {
        check<ShapeError>(in >= k, what, ": VALID padding needs input size >= kernel size, got input ", in,
                          " and kernel ", k);
        e.out = (in - k) / stride + 1;
    }
    return e;
}

/// Everything a conv kernel needs to know about one NCHW convolution. `channels_per_group` is
/// c_in for a dense conv and 1 for a depthwise one (weights [c_out, channels_per_group, kh, kw]).
struct ConvGeometry {
    std::int64_t n = 0, c_in = 0, h = 0, w = 0;  // input  [n, c_in, h, w]
    std::int64_t c_out = 0, kh = 0, kw = 0;      // weight [c_out, c_in or 1, kh, kw]
    std::int64_t stride_h = 1, stride_w = 1;
    std::int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
    std::int64_t out_h = 0, out_w = 0;  // output [n, c_out, out_h, out_w]

    std::int64_t in_plane() const { return h * w; }
    std::int64_t out_plane() const { return out_h * out_w; }
    std::int64_t kernel_area() const { return kh * kw; }
    /// Rows of the im2col matrix of a dense conv: c_in * kh * kw.
    std::int64_t patch_size() const { return c_in * kh * kw; }
    Shape input_shape() const { return Shape{n, c_in, h, w}; }
    Shape output_shape() const { return Shape{n, c_out, out_h, out_w}; }
    /// Multiply-adds of one pass (forward, backward-input or backward-weight) of a dense conv.
    double dense_macs() const {
        return static_cast<double>(n) * static_cast<double>(c_out) * static_cast<double>(patch_size()) *
               static_cast<double>(out_plane());
    }
};

/// The geometry of a conv of an NCHW input of shape `x` with weights of shape `w` ([c_out, *, kh, kw]).
/// Shapes are assumed checked by the caller (ops/conv.hpp); strides and VALID sizes are checked here.
inline ConvGeometry conv_geometry(const Shape& x, const Shape& w, const Conv2dParams& p, const char* what = "conv2d") {
    check<ValueError>(p.stride_h > 0 && p.stride_w > 0, what, ": strides must be positive, got (", p.stride_h, ", ",
                      p.stride_w, ")");
    ConvGeometry g;
    g.n = x[0];
    g.c_in = x[1];
    g.h = x[2];
    g.w = x[3];
    g.c_out = w[0];
    g.kh = w[2];
    g.kw = w[3];
    g.stride_h = p.stride_h;
    g.stride_w = p.stride_w;
    const PaddedExtent eh = padded_extent(g.h, g.kh, g.stride_h, p.padding, what);
    const PaddedExtent ew = padded_extent(g.w, g.kw, g.stride_w, p.padding, what);
    g.out_h = eh.out;
    g.out_w = ew.out;
    g.pad_top = eh.pad_before;
    g.pad_bottom = eh.pad_after;
    g.pad_left = ew.pad_before;
    g.pad_right = ew.pad_after;
    return g;
}

/// For a stride-1 conv `g`, the geometry of its backward-input pass written as a forward conv of the
/// output gradient with the flipped kernel: input [n, c_out, out_h, out_w], output [n, c_in, h, w],
/// padding kh - 1 - pad_top above and kw - 1 - pad_left on the left (gx[ih] = sum_i gy[ih + pad_top - i] w[i]).
inline ConvGeometry stride1_input_gradient_geometry(const ConvGeometry& g) {
    ConvGeometry t = g;
    t.c_in = g.c_out;
    t.c_out = g.c_in;
    t.h = g.out_h;
    t.w = g.out_w;
    t.out_h = g.h;
    t.out_w = g.w;
    t.pad_top = g.kh - 1 - g.pad_top;
    t.pad_left = g.kw - 1 - g.pad_left;
    t.pad_bottom = g.h + g.kh - 1 - g.out_h - t.pad_top;
    t.pad_right = g.w + g.kw - 1 - g.out_w - t.pad_left;
    return t;
}

}  // namespace enas
