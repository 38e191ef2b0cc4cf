// Naive double-precision reference for the depthwise conv family (channel multiplier 1): the dense
// reference of naive/conv.hpp with each output channel reading only its own input channel.
#pragma once
#include "naive/conv.hpp"

namespace enas::naive {

/// Forward, backward-input and backward-weight of a depthwise conv (p.c_out == p.c_in, weights
/// [c, 1, kh, kw]) in double.
template <class T>
ConvReference depthwise_conv_reference(const ConvProblem& p, const Tensor<T, Cpu>& x, const Tensor<T, Cpu>& w,
                                       const Tensor<T, Cpu>& gy) {
    return conv_reference(p, /*groups_of_one=*/true, x, w, gy);
}

}  // namespace enas::naive
