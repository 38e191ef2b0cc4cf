// Launchers of the embedding family (include/enas/backend/cuda/embedding.hpp).
#include "enas/backend/cuda/embedding.hpp"
#include "kernels/embedding.cuh"
#include "launch_support.cuh"

namespace enas::cuda {
namespace {
constexpr unsigned int kBlock = 256;
}

void embedding_forward(Context<Cuda>& ctx, const Tensor<float, Cuda>& table, const Tensor<std::int32_t, Cuda>& ids,
                       Tensor<float, Cuda>& y) {
    const std::int64_t n = ids.numel(), d = table.dim(1);
    if (n * d == 0) return;
    launch<kernels::embedding_forward>(grid_stride_blocks(n * d, kBlock), kBlock, 0, stream_of(ctx), table.data(),
                                       ids.data(), y.data(), n, d);
}

void embedding_backward(Context<Cuda>& ctx, const Tensor<std::int32_t, Cuda>& ids, const Tensor<float, Cuda>& gy,
                        Tensor<float, Cuda>& gtable) {
    const std::int64_t n = ids.numel(), d = gtable.dim(1);
    if (n * d == 0) return;
    // One thread per column: at most d threads, in blocks of a warp multiple.
    const unsigned int block = d >= kBlock ? kBlock : static_cast<unsigned int>((d + 31) / 32 * 32);
    launch<kernels::embedding_backward>(grid_stride_blocks(d, block), block, 0, stream_of(ctx), ids.data(), gy.data(),
                                        gtable.data(), n, d);
}

}  // namespace enas::cuda
