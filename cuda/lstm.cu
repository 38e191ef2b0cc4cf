// Launchers of the fused LSTM cell (include/enas/backend/cuda/lstm.hpp).
#include <algorithm>
#include <limits>

#include "enas/backend/cuda/lstm.hpp"
#include "kernels/lstm.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {

constexpr unsigned int kBlock = 256;

kernels::LstmShape lstm_shape(const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& h_prev) {
    const std::int64_t batch = x.dim(0), in = x.dim(1), hidden = h_prev.dim(1);
    const std::int64_t largest = std::max({batch * in, batch * 4 * hidden, (in + hidden) * 4 * hidden});
    check<ValueError>(largest <= std::numeric_limits<int>::max() && batch <= 65535, "lstm_cell: batch ", batch,
                      ", input ", in, " and hidden ", hidden, " are too large for the CUDA kernels");
    return {static_cast<int>(batch), static_cast<int>(in), static_cast<int>(hidden)};
}

}  // namespace

void lstm_cell_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& h_prev,
                       const Tensor<float, Cuda>& c_prev, const Tensor<float, Cuda>& w, Tensor<float, Cuda>& gates,
                       Tensor<float, Cuda>& h, Tensor<float, Cuda>& c) {
    const kernels::LstmShape s = lstm_shape(x, h_prev);
    if (s.batch == 0 || s.hidden == 0) return;
    const dim3 grid(blocks_for(s.hidden, kernels::kLstmThreads), static_cast<unsigned int>(s.batch));
    launch<kernels::lstm_cell_forward>(grid, kernels::kLstmThreads, 0, stream_of(ctx), s, x.data(), h_prev.data(),
                                       c_prev.data(), w.data(), gates.data(), h.data(), c.data());
}

void lstm_cell_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, const Tensor<float, Cuda>& h_prev,
                        const Tensor<float, Cuda>& c_prev, const Tensor<float, Cuda>& w,
                        const Tensor<float, Cuda>& gates, const Tensor<float, Cuda>& c, const Tensor<float, Cuda>* dh,
                        const Tensor<float, Cuda>* dc, Tensor<float, Cuda>* dx, Tensor<float, Cuda>* dh_prev,
                        Tensor<float, Cuda>* dc_prev, Tensor<float, Cuda>* dw) {
    if (!dh && !dc) return;
    const kernels::LstmShape s = lstm_shape(x, h_prev);
    if (s.batch == 0 || s.hidden == 0) return;
    const cudaStream_t stream = stream_of(ctx);
    Tensor<float, Cuda> dgates = ctx.template empty<float>(Shape{s.batch, 4 * s.hidden});
    const std::int64_t units = std::int64_t{s.batch} * s.hidden;
    launch<kernels::lstm_gate_gradients>(grid_stride_blocks(units, kBlock), kBlock, 0, stream, s, gates.data(),
                                         c.data(), c_prev.data(), dh ? dh->data() : nullptr, dc ? dc->data() : nullptr,
                                         dgates.data(), dc_prev ? dc_prev->data() : nullptr);
    if (dw) {
        const std::int64_t count = std::int64_t{s.in + s.hidden} * 4 * s.hidden;
        launch<kernels::lstm_weight_gradient>(grid_stride_blocks(count, kBlock), kBlock, 0, stream, s, x.data(),
                                              h_prev.data(), dgates.data(), dw->data());
    }
    if (dx || dh_prev) {
        const std::int64_t rows = std::int64_t{s.batch} * (s.in + s.hidden);
        launch<kernels::lstm_input_gradients>(grid_stride_blocks(rows * 32, kBlock), kBlock, 0, stream, s, w.data(),
                                              dgates.data(), dx ? dx->data() : nullptr,
                                              dh_prev ? dh_prev->data() : nullptr);
    }
}

}  // namespace enas::cuda
