// Naive double-precision references for the dense conv family: direct loops over every output,
// with TensorFlow's SAME / VALID arithmetic written out again here (not taken from the library).
#pragma once
#include <algorithm>
#include <cstdint>

#include "enas/core/tensor.hpp"

namespace enas::naive {

/// One spatial dimension of a TF conv: output size and the padding before the first element.
struct Extent1d {
    std::int64_t out, pad_before;
};

inline Extent1d tf_extent(std::int64_t in, std::int64_t k, std::int64_t stride, bool same) {
    if (!same) return {(in - k + stride) / stride, 0};  // ceil((in - k + 1) / stride)
    const std::int64_t out = (in + stride - 1) / stride;
    const std::int64_t pad_total = std::max<std::int64_t>((out - 1) * stride + k - in, 0);
    return {out, pad_total / 2};
}

/// The sizes of a conv problem in plain numbers.
struct ConvProblem {
    std::int64_t n, c_in, h, w, c_out, kh, kw, sh, sw;
    bool same;
    Extent1d eh() const { return tf_extent(h, kh, sh, same); }
    Extent1d ew() const { return tf_extent(w, kw, sw, same); }
    Shape x_shape() const { return Shape{n, c_in, h, w}; }
    Shape w_shape(std::int64_t w_in) const { return Shape{c_out, w_in, kh, kw}; }
    Shape y_shape() const { return Shape{n, c_out, eh().out, ew().out}; }
};

/// Calls f(n, co, ci, c, oh, ow, ih, iw, i, j) for every (output, tap) pair that reads an input
/// element inside the image: output (n, co, oh, ow) reads input (n, ci, ih, iw) through weight
/// (co, c, i, j). `groups_of_one` is the depthwise case: ci = co and c = 0.
template <class F>
void for_each_tap(const ConvProblem& p, bool groups_of_one, F&& f) {
    const Extent1d eh = p.eh(), ew = p.ew();
    const std::int64_t w_in = groups_of_one ? 1 : p.c_in;
    for (std::int64_t n = 0; n < p.n; ++n)
        for (std::int64_t co = 0; co < p.c_out; ++co)
            for (std::int64_t oh = 0; oh < eh.out; ++oh)
                for (std::int64_t ow = 0; ow < ew.out; ++ow)
                    for (std::int64_t c = 0; c < w_in; ++c)
                        for (std::int64_t i = 0; i < p.kh; ++i)
                            for (std::int64_t j = 0; j < p.kw; ++j) {
                                const std::int64_t ih = oh * p.sh - eh.pad_before + i;
                                const std::int64_t iw = ow * p.sw - ew.pad_before + j;
                                if (ih < 0 || ih >= p.h || iw < 0 || iw >= p.w) continue;
                                const std::int64_t ci = groups_of_one ? co : c;
                                f(n, co, ci, c, oh, ow, ih, iw, i, j);
                            }
}

/// Forward, backward-input and backward-weight of a dense (or, with groups_of_one, depthwise)
/// conv in double. `x`, `w` and `gy` may be float or double.
struct ConvReference {
    Tensor<double, Cpu> y, gx, gw;
};

template <class T>
ConvReference conv_reference(const ConvProblem& p, bool groups_of_one, const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& w,
                             const Tensor<T, Cpu>& gy) {
    const Extent1d eh = p.eh(), ew = p.ew();
    const std::int64_t w_in = groups_of_one ? 1 : p.c_in;
    ConvReference r{Tensor<double, Cpu>::zeros(p.y_shape()), Tensor<double, Cpu>::zeros(p.x_shape()),
                    Tensor<double, Cpu>::zeros(p.w_shape(w_in))};
    const T *px = x.data(), *pw = w.data(), *pg = gy.data();
    for_each_tap(p, groups_of_one,
                 [&](std::int64_t n, std::int64_t co, std::int64_t ci, std::int64_t c, std::int64_t oh, std::int64_t ow,
                     std::int64_t ih, std::int64_t iw, std::int64_t i, std::int64_t j) {
                     const std::int64_t xi = ((n * p.c_in + ci) * p.h + ih) * p.w + iw;
                     const std::int64_t wi = ((co * w_in + c) * p.kh + i) * p.kw + j;
                     const std::int64_t yi = ((n * p.c_out + co) * eh.out + oh) * ew.out + ow;
                     r.y.data()[yi] += static_cast<double>(px[xi]) * static_cast<double>(pw[wi]);
                     r.gx.data()[xi] += static_cast<double>(pg[yi]) * static_cast<double>(pw[wi]);
                     r.gw.data()[wi] += static_cast<double>(pg[yi]) * static_cast<double>(px[xi]);
                 });
    return r;
}

}  // namespace enas::naive
