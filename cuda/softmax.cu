// Launchers of the softmax family (include/enas/backend/cuda/softmax.hpp).
#include <algorithm>

#include "enas/backend/cuda/softmax.hpp"
#include "kernels/softmax.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {
constexpr unsigned int kMaxRowBlocks = 65535;

/// A row of K entries gets one block of a multiple of 32 threads, at most 256.
unsigned int row_block(std::int64_t k) {
    return static_cast<unsigned int>(std::clamp<std::int64_t>((k + 31) / 32 * 32, 32, 256));
}

/// Launches a per-row kernel over a [rows, K] view of `t` with the given arguments first.
template <auto Kernel, class... Args>
void launch_rows(Context<Cuda>& ctx, std::int64_t rows, std::int64_t k, Args... args) {
    if (rows == 0 || k == 0) return;
    const auto blocks = static_cast<unsigned int>(std::min<std::int64_t>(rows, kMaxRowBlocks));
    launch<Kernel>(blocks, row_block(k), 0, stream_of(ctx), args..., rows, k);
}

std::int64_t last_dim(const Tensor<float, Cuda>& t) { return t.rank() == 0 ? 1 : t.dim(-1); }
std::int64_t rows_of(const Tensor<float, Cuda>& t) {
    const std::int64_t k = last_dim(t);
    return k == 0 ? 0 : t.numel() / k;
}
}  // namespace

void softmax_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y) {
    launch_rows<kernels::softmax_forward>(ctx, rows_of(x), last_dim(x), x.data(), y.data());
}

void softmax_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& y, const Tensor<float, Cuda>& gy,
                      Tensor<float, Cuda>& gx) {
    launch_rows<kernels::softmax_backward>(ctx, rows_of(y), last_dim(y), y.data(), gy.data(), gx.data());
}

void log_softmax_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, Tensor<float, Cuda>& y) {
    launch_rows<kernels::log_softmax_forward>(ctx, rows_of(x), last_dim(x), x.data(), y.data());
}

void log_softmax_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& y, const Tensor<float, Cuda>& gy,
                          Tensor<float, Cuda>& gx) {
    launch_rows<kernels::log_softmax_backward>(ctx, rows_of(y), last_dim(y), y.data(), gy.data(), gx.data());
}

void softmax_cross_entropy_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& logits,
                                   const Tensor<std::int32_t, Cuda>& labels, Tensor<float, Cuda>& probs,
                                   Tensor<float, Cuda>& loss) {
    const std::int64_t n = logits.dim(0), k = logits.dim(1);
    Tensor<double, Cuda> row_loss = ctx.empty<double>({n});
    launch_rows<kernels::softmax_cross_entropy_rows>(ctx, n, k, logits.data(), labels.data(), probs.data(),
                                                     row_loss.data());
    launch<kernels::finish_mean_loss>(1, 256, 0, stream_of(ctx), row_loss.data(), n, loss.data());
}

void softmax_cross_entropy_backward(Context<Cuda>& ctx, const Tensor<float, Cuda>& probs,
                                    const Tensor<std::int32_t, Cuda>& labels, const Tensor<float, Cuda>& gloss,
                                    Tensor<float, Cuda>& glogits) {
    const std::int64_t n = probs.dim(0), k = probs.dim(1);
    if (n * k == 0) return;
    launch<kernels::softmax_cross_entropy_backward>(grid_stride_blocks(n * k, 256), 256, 0, stream_of(ctx),
                                                    probs.data(), labels.data(), gloss.data(), glogits.data(), n, k);
}

void argmax_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& x, Tensor<std::int32_t, Cuda>& index) {
    launch_rows<kernels::argmax_forward>(ctx, rows_of(x), last_dim(x), x.data(), index.data());
}

}  // namespace enas::cuda
