// Kernels of the softmax family: one block per row of [rows, K] (grid-stride over rows, so the
// loop bound is uniform in a block and its barriers are reached by every thread). Every kernel
// subtracts the row maximum before exp, as the CPU kernels do.
#pragma once
#include <cstdint>

#include "kernels/device_helpers.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

/// y = softmax(x) per row.
__global__ void softmax_forward(const float* __restrict__ x, float* __restrict__ y, std::int64_t rows, std::int64_t k) {
    ENAS_SHARED(float, scratch, 32);
    for (std::int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + r * k;
        float* yr = y + r * k;
        float m = -INFINITY;
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) m = fmaxf(m, xr[j]);
        m = block_reduce(m, scratch, MaxOp{}, -INFINITY);
        float s = 0.0f;
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) {
            const float e = expf(xr[j] - m);
            yr[j] = e;  // rescaled below by the same thread
            s += e;
        }
        const float inv = 1.0f / block_reduce_sum(s, scratch);
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) yr[j] *= inv;
    }
}

/// gx += y * (gy - sum(gy * y)) per row.
__global__ void softmax_backward(const float* __restrict__ y, const float* __restrict__ gy, float* __restrict__ gx,
                                 std::int64_t rows, std::int64_t k) {
    ENAS_SHARED(float, scratch, 32);
    for (std::int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const std::int64_t at = r * k;
        float dot = 0.0f;
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) dot += gy[at + j] * y[at + j];
        dot = block_reduce_sum(dot, scratch);
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) gx[at + j] += y[at + j] * (gy[at + j] - dot);
    }
}

/// y = (x - max) - log(sum exp(x - max)) per row.
__global__ void log_softmax_forward(const float* __restrict__ x, float* __restrict__ y, std::int64_t rows,
                                    std::int64_t k) {
    ENAS_SHARED(float, scratch, 32);
    for (std::int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + r * k;
        float m = -INFINITY;
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) m = fmaxf(m, xr[j]);
        m = block_reduce(m, scratch, MaxOp{}, -INFINITY);
        float s = 0.0f;
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) s += expf(xr[j] - m);
        const float log_s = logf(block_reduce_sum(s, scratch));
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) y[r * k + j] = (xr[j] - m) - log_s;
    }
}

/// gx += gy - exp(y) * sum(gy) per row.
__global__ void log_softmax_backward(const float* __restrict__ y, const float* __restrict__ gy, float* __restrict__ gx,
                                     std::int64_t rows, std::int64_t k) {
    ENAS_SHARED(float, scratch, 32);
    for (std::int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const std::int64_t at = r * k;
        float total = 0.0f;
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) total += gy[at + j];
        total = block_reduce_sum(total, scratch);
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) gx[at + j] += gy[at + j] - expf(y[at + j]) * total;
    }
}

/// probs = softmax(logits) per row and row_loss[r] = log(sum exp(x - max)) - (x[label] - max), in
/// double (summed by finish_mean_loss in a fixed order).
__global__ void softmax_cross_entropy_rows(const float* __restrict__ logits, const std::int32_t* __restrict__ labels,
                                           float* __restrict__ probs, double* __restrict__ row_loss, std::int64_t rows,
                                           std::int64_t k) {
    ENAS_SHARED(float, scratch, 32);
    for (std::int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = logits + r * k;
        float* pr = probs + r * k;
        float m = -INFINITY;
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) m = fmaxf(m, xr[j]);
        m = block_reduce(m, scratch, MaxOp{}, -INFINITY);
        float s = 0.0f;
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) {
            const float e = expf(xr[j] - m);
            pr[j] = e;
            s += e;
        }
        s = block_reduce_sum(s, scratch);
        const float inv = 1.0f / s;
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) pr[j] *= inv;
        if (threadIdx.x == 0) row_loss[r] = static_cast<double>(logf(s)) - static_cast<double>(xr[labels[r]] - m);
    }
}

/// loss[0] = mean of row_loss[0, rows), by one block.
__global__ void finish_mean_loss(const double* __restrict__ row_loss, std::int64_t rows, float* __restrict__ loss) {
    ENAS_SHARED(double, scratch, 32);
    double s = 0.0;
    for (std::int64_t r = threadIdx.x; r < rows; r += blockDim.x) s += row_loss[r];
    s = block_reduce_sum(s, scratch);
    if (threadIdx.x == 0) loss[0] = static_cast<float>(s / static_cast<double>(rows));
}

/// glogits += (probs - onehot(labels)) * gloss[0] / rows, elementwise.
__global__ void softmax_cross_entropy_backward(const float* __restrict__ probs, const std::int32_t* __restrict__ labels,
                                               const float* __restrict__ gloss, float* __restrict__ glogits,
                                               std::int64_t rows, std::int64_t k) {
    const float scale = gloss[0] / static_cast<float>(rows);
    const std::int64_t n = rows * k;
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) {
        const std::int64_t r = i / k;
        float g = glogits[i] + scale * probs[i];
        if (i - r * k == labels[r]) g -= scale;
        glogits[i] = g;
    }
}

/// index[r] = position of the largest entry of row r (the first on ties).
__global__ void argmax_forward(const float* __restrict__ x, std::int32_t* __restrict__ index, std::int64_t rows,
                               std::int64_t k) {
    ENAS_SHARED(float, best_values, 32);
    ENAS_SHARED(std::int64_t, best_positions, 32);
    const int lane = static_cast<int>(threadIdx.x) % 32, warp = static_cast<int>(threadIdx.x) / 32;
    const int warps = static_cast<int>(blockDim.x) / 32;
    for (std::int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + r * k;
        float best = -INFINITY;
        std::int64_t at = k;  // "none yet": loses every tie
        for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x)
            if (at == k || xr[j] > best) best = xr[j], at = j;
        // (value, position) pairs: the larger value wins, the smaller position on ties.
        for (int round = 0; round < 2; ++round) {
            for (int offset = 16; offset > 0; offset /= 2) {
                const float other = __shfl_xor_sync(0xffffffffu, best, offset);
                const std::int64_t other_at = __shfl_xor_sync(0xffffffffu, at, offset);
                if (other_at != k && (at == k || other > best || (other == best && other_at < at)))
                    best = other, at = other_at;
            }
            if (round == 1) break;
            if (lane == 0) best_values[warp] = best, best_positions[warp] = at;
            __syncthreads();
            best = lane < warps ? best_values[lane] : -INFINITY;
            at = lane < warps ? best_positions[lane] : k;
            __syncthreads();
        }
        if (threadIdx.x == 0) index[r] = static_cast<std::int32_t>(at);
    }
}

}  // namespace enas::cuda::kernels
