// Naive double-precision references for the pool family: one loop nest per output element over
// the padded window, with TF SAME/VALID geometry computed here independently of the kernels.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "enas/backend/cpu/pool.hpp"

namespace enas::naive {

/// Output size and leading padding of one dimension, straight from the TF formulas.
struct NaivePoolDim {
    std::int64_t out, pad_before;
};

inline NaivePoolDim pool_dim(std::int64_t in, int k, int s, Padding padding) {
    if (padding == Padding::Valid) return {static_cast<std::int64_t>(std::floor(double(in - k) / s)) + 1, 0};
    const auto out = static_cast<std::int64_t>(std::ceil(double(in) / s));
    const std::int64_t total = std::max<std::int64_t>((out - 1) * s + k - in, 0);
    return {out, total / 2};
}

/// Visits every output (n, c, oh, ow) with its flat index and the list of real inputs of its
/// window in row-major order: f(out_index, plane_offset, [(h, w) ...] via a callback).
template <class F>
void for_each_window(const Shape& in, const Pool2dParams& p, F&& f) {
    const NaivePoolDim dh = pool_dim(in[2], p.kernel_h, p.stride_h, p.padding);
    const NaivePoolDim dw = pool_dim(in[3], p.kernel_w, p.stride_w, p.padding);
    std::int64_t out_index = 0;
    for (std::int64_t plane = 0; plane < in[0] * in[1]; ++plane)
        for (std::int64_t oh = 0; oh < dh.out; ++oh)
            for (std::int64_t ow = 0; ow < dw.out; ++ow, ++out_index) {
                std::vector<std::int64_t> cells;  // flat in-plane indices h * W + w
                for (int kh = 0; kh < p.kernel_h; ++kh)
                    for (int kw = 0; kw < p.kernel_w; ++kw) {
                        const std::int64_t h = oh * p.stride_h - dh.pad_before + kh;
                        const std::int64_t w = ow * p.stride_w - dw.pad_before + kw;
                        if (h >= 0 && h < in[2] && w >= 0 && w < in[3]) cells.push_back(h * in[3] + w);
                    }
                f(out_index, plane * in[2] * in[3], cells);
            }
}

inline Shape pool_output_shape(const Shape& in, const Pool2dParams& p) {
    return Shape{in[0], in[1], pool_dim(in[2], p.kernel_h, p.stride_h, p.padding).out,
                 pool_dim(in[3], p.kernel_w, p.stride_w, p.padding).out};
}

/// Average over the real inputs of each window.
template <class T>
Tensor<double, Cpu> avg_pool2d(const Tensor<T, Cpu>& x, const Pool2dParams& p) {
    Tensor<double, Cpu> y(pool_output_shape(x.shape(), p));
    for_each_window(x.shape(), p, [&](std::int64_t o, std::int64_t base, const std::vector<std::int64_t>& cells) {
        double s = 0;
        for (std::int64_t c : cells) s += double(x.data()[base + c]);
        y.data()[o] = s / double(cells.size());
    });
    return y;
}

/// gx_init + the average-pool backward of gy.
template <class T>
Tensor<double, Cpu> avg_pool2d_backward(const Shape& in, const Pool2dParams& p, const Tensor<T, Cpu>& gy,
                                        double gx_init) {
    Tensor<double, Cpu> gx = Tensor<double, Cpu>::full(in, gx_init);
    for_each_window(in, p, [&](std::int64_t o, std::int64_t base, const std::vector<std::int64_t>& cells) {
        for (std::int64_t c : cells) gx.data()[base + c] += double(gy.data()[o]) / double(cells.size());
    });
    return gx;
}

/// Max over the real inputs of each window; `argmax` gets the first maximum in row-major order.
template <class T>
Tensor<double, Cpu> max_pool2d(const Tensor<T, Cpu>& x, const Pool2dParams& p, std::vector<std::int64_t>* argmax) {
    Tensor<double, Cpu> y(pool_output_shape(x.shape(), p));
    if (argmax) argmax->assign(static_cast<std::size_t>(y.numel()), -1);
    for_each_window(x.shape(), p, [&](std::int64_t o, std::int64_t base, const std::vector<std::int64_t>& cells) {
        double m = -std::numeric_limits<double>::infinity();
        std::int64_t best = -1;
        for (std::int64_t c : cells)
            if (double(x.data()[base + c]) > m) {
                m = double(x.data()[base + c]);
                best = c;
            }
        y.data()[o] = m;
        if (argmax) (*argmax)[static_cast<std::size_t>(o)] = best;
    });
    return y;
}

/// gx_init + the max-pool backward of gy (each gy to the first maximum of its window).
template <class T>
Tensor<double, Cpu> max_pool2d_backward(const Tensor<T, Cpu>& x, const Pool2dParams& p, const Tensor<T, Cpu>& gy,
                                        double gx_init) {
    std::vector<std::int64_t> arg;
    max_pool2d(x, p, &arg);
    Tensor<double, Cpu> gx = Tensor<double, Cpu>::full(x.shape(), gx_init);
    const std::int64_t plane_out = gy.dim(2) * gy.dim(3), plane_in = x.dim(2) * x.dim(3);
    for (std::int64_t o = 0; o < gy.numel(); ++o)
        gx.data()[(o / plane_out) * plane_in + arg[static_cast<std::size_t>(o)]] += double(gy.data()[o]);
    return gx;
}

}  // namespace enas::naive
