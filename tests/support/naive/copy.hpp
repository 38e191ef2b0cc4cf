// Naive double-precision references for the copy family: element-by-element loops over
// [outer, channels, inner] views (concat, slice) and NCHW (shifted subsample).
#pragma once
#include <cstdint>
#include <vector>

#include "enas/core/tensor.hpp"

namespace enas::naive {

namespace copy_detail {
template <class T>
std::int64_t inner(const Tensor<T, Cpu>& t) {
    std::int64_t n = 1;
    for (int d = 2; d < t.rank(); ++d) n *= t.dim(d);
    return n;
}
}  // namespace copy_detail

/// Concatenation along dimension 1.
template <class T>
Tensor<double, Cpu> concat(const std::vector<Tensor<T, Cpu>>& xs) {
    Shape s = xs.at(0).shape();
    std::int64_t channels = 0;
    for (const auto& x : xs) channels += x.dim(1);
    s[1] = channels;
    Tensor<double, Cpu> y(s);
    const std::int64_t inner = copy_detail::inner(y);
    std::int64_t c0 = 0;
    for (const auto& x : xs) {
        const Tensor<T, Cpu> xc = x.contiguous();
        for (std::int64_t n = 0; n < x.dim(0); ++n)
            for (std::int64_t c = 0; c < x.dim(1); ++c)
                for (std::int64_t k = 0; k < inner; ++k)
                    y.data()[(n * channels + c0 + c) * inner + k] = xc.data()[(n * x.dim(1) + c) * inner + k];
        c0 += x.dim(1);
    }
    return y;
}

/// x[:, start : start + length].
template <class T>
Tensor<double, Cpu> slice(const Tensor<T, Cpu>& x, std::int64_t start, std::int64_t length) {
    Shape s = x.shape();
    s[1] = length;
    Tensor<double, Cpu> y(s);
    const Tensor<T, Cpu> xc = x.contiguous();
    const std::int64_t inner = copy_detail::inner(x);
    for (std::int64_t n = 0; n < x.dim(0); ++n)
        for (std::int64_t c = 0; c < length; ++c)
            for (std::int64_t k = 0; k < inner; ++k)
                y.data()[(n * length + c) * inner + k] = xc.data()[(n * x.dim(1) + start + c) * inner + k];
    return y;
}

/// y[n, c, i, j] = x[n, c, i*s + off, j*s + off] (0 outside), y of size ceil(H/s) x ceil(W/s).
template <class T>
Tensor<double, Cpu> shifted_subsample(const Tensor<T, Cpu>& x, std::int64_t off, std::int64_t s) {
    const std::int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    const std::int64_t Ho = (H + s - 1) / s, Wo = (W + s - 1) / s;
    Tensor<double, Cpu> y({N, C, Ho, Wo});
    const Tensor<T, Cpu> xc = x.contiguous();
    for (std::int64_t p = 0; p < N * C; ++p)
        for (std::int64_t i = 0; i < Ho; ++i)
            for (std::int64_t j = 0; j < Wo; ++j) {
                const std::int64_t r = i * s + off, q = j * s + off;
                y.data()[(p * Ho + i) * Wo + j] = (r < H && q < W) ? double(xc.data()[(p * H + r) * W + q]) : 0.0;
            }
    return y;
}

/// The gradient of shifted_subsample with respect to x (shape [N, C, H, W]) plus `base` everywhere.
template <class T>
Tensor<double, Cpu> shifted_subsample_grad(const Tensor<T, Cpu>& gy, std::int64_t H, std::int64_t W, std::int64_t off,
                                           std::int64_t s, double base) {
    const std::int64_t N = gy.dim(0), C = gy.dim(1), Ho = gy.dim(2), Wo = gy.dim(3);
    Tensor<double, Cpu> gx = Tensor<double, Cpu>::full({N, C, H, W}, base);
    for (std::int64_t p = 0; p < N * C; ++p)
        for (std::int64_t r = 0; r < H; ++r)
            for (std::int64_t q = 0; q < W; ++q) {
                // x[r, q] is read by y[i, j] when r = i*s + off and q = j*s + off.
                if (r < off || q < off || (r - off) % s || (q - off) % s) continue;
                const std::int64_t i = (r - off) / s, j = (q - off) / s;
                if (i < Ho && j < Wo) gx.data()[(p * H + r) * W + q] += gy.data()[(p * Ho + i) * Wo + j];
            }
    return gx;
}

}  // namespace enas::naive
