// Launchers of the ENAS recurrent highway node (include/enas/backend/cuda/rnn_node.hpp).
#include <type_traits>

#include "enas/backend/cuda/rnn_node.hpp"
#include "kernels/rnn_node.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {

constexpr unsigned int kBlock = 256;

/// Calls body(std::integral_constant<Activation, a>) for a = `act`: the kernels take the
/// activation as a template argument.
template <class F>
void with_activation(Activation act, F&& body) {
    switch (act) {
        case Activation::Identity: body(std::integral_constant<Activation, Activation::Identity>{}); return;
        case Activation::Relu: body(std::integral_constant<Activation, Activation::Relu>{}); return;
        case Activation::Tanh: body(std::integral_constant<Activation, Activation::Tanh>{}); return;
        case Activation::Sigmoid: body(std::integral_constant<Activation, Activation::Sigmoid>{}); return;
    }
    throw ValueError(::enas::detail::concat("rnn_node: unknown activation ", static_cast<int>(act)));
}

}  // namespace

void rnn_node_forward(Context<Cuda>& ctx, Activation act, const Tensor<float, Cuda>& s,
                      const Tensor<float, Cuda>& c_pre, const Tensor<float, Cuda>& h_pre, Tensor<float, Cuda>& out) {
    const std::int64_t count = s.numel();
    if (count == 0) return;
    with_activation(act, [&](auto a) {
        launch<kernels::rnn_node_forward<decltype(a)::value>>(grid_stride_blocks(count, kBlock), kBlock, 0,
                                                              stream_of(ctx), count, s.data(), c_pre.data(),
                                                              h_pre.data(), out.data());
    });
}

void rnn_node_backward(Context<Cuda>& ctx, Activation act, const Tensor<float, Cuda>& s,
                       const Tensor<float, Cuda>& c_pre, const Tensor<float, Cuda>& h_pre,
                       const Tensor<float, Cuda>& gy, Tensor<float, Cuda>* ds, Tensor<float, Cuda>* dc_pre,
                       Tensor<float, Cuda>* dh_pre) {
    const std::int64_t count = s.numel();
    if (count == 0 || (!ds && !dc_pre && !dh_pre)) return;
    with_activation(act, [&](auto a) {
        launch<kernels::rnn_node_backward<decltype(a)::value>>(
            grid_stride_blocks(count, kBlock), kBlock, 0, stream_of(ctx), count, s.data(), c_pre.data(), h_pre.data(),
            gy.data(), ds ? ds->data() : nullptr, dc_pre ? dc_pre->data() : nullptr, dh_pre ? dh_pre->data() : nullptr);
    });
}

}  // namespace enas::cuda
