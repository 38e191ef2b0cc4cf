// Naive double-precision references for the reduce family.
#pragma once
#include <cstdint>

#include "enas/core/tensor.hpp"

namespace enas::naive {

/// y[n, c] = mean of x[n, c, :, :].
template <class T>
Tensor<double, Cpu> global_avg_pool(const Tensor<T, Cpu>& x) {
    Tensor<double, Cpu> y(Shape{x.dim(0), x.dim(1)});
    const std::int64_t plane = x.dim(2) * x.dim(3);
    for (std::int64_t k = 0; k < y.numel(); ++k) {
        double s = 0;
        for (std::int64_t i = 0; i < plane; ++i) s += double(x.data()[k * plane + i]);
        y.data()[k] = s / double(plane);
    }
    return y;
}

/// gx_init + gy[n, c] / (H * W) at every (n, c, h, w) of `in`.
template <class T>
Tensor<double, Cpu> global_avg_pool_backward(const Shape& in, const Tensor<T, Cpu>& gy, double gx_init) {
    Tensor<double, Cpu> gx(in);
    const std::int64_t plane = in[2] * in[3];
    for (std::int64_t i = 0; i < gx.numel(); ++i) gx.data()[i] = gx_init + double(gy.data()[i / plane]) / double(plane);
    return gx;
}

/// Sum of f(x[i]) over all elements, in long double, as a [1] tensor.
template <class T, class F>
Tensor<double, Cpu> total(const Tensor<T, Cpu>& x, F f) {
    long double s = 0;
    for (std::int64_t i = 0; i < x.numel(); ++i) s += static_cast<long double>(f(double(x.data()[i])));
    return Tensor<double, Cpu>::full(Shape{1}, static_cast<double>(s));
}

/// gx_init + dgx(x[i]) at every element.
template <class T, class F>
Tensor<double, Cpu> pointwise(const Tensor<T, Cpu>& x, double gx_init, F dgx) {
    Tensor<double, Cpu> gx(x.shape());
    for (std::int64_t i = 0; i < x.numel(); ++i) gx.data()[i] = gx_init + dgx(double(x.data()[i]));
    return gx;
}

}  // namespace enas::naive
