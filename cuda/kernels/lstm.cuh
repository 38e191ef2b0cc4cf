// Kernels of the controller's fused LSTM cell (no bias, gate order i, f, o, g):
//   [i, f, o, g] = [x, h_prev] . W,  W [(I + H), 4H];  c = i * g + f * c_prev,  h = o * tanh(c).
// Forward: one kernel; block (unit tile, batch row) stages [x, h_prev] of its row in shared memory
// a chunk at a time, and thread j computes the four gate sums of unit j (neighbouring threads
// read neighbouring columns of W) and then the cell. Backward: the gate gradients pointwise, then
// dW (one thread per element of W, a loop over the batch) and dx / dh_prev (one warp per row of
// W, a shuffle reduction over the 4H columns). Every output element has one owner: no atomics.
#pragma once
#include <cstdint>

#include "kernels/device_helpers.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

inline constexpr int kLstmThreads = 128;
/// Floats of [x, h_prev] staged in shared memory per chunk.
inline constexpr int kLstmChunk = 1024;

/// Sizes of the cell: batch, input width I, hidden width H.
struct LstmShape {
    int batch, in, hidden;
};

/// Block (tile, b): units j = tile * kLstmThreads + threadIdx.x of batch row b. Writes the
/// activated gates to gates[b, {0, 1, 2, 3} * H + j] and h, c [b, j].
__global__ void __launch_bounds__(kLstmThreads)
    lstm_cell_forward(LstmShape s, const float* __restrict__ x, const float* __restrict__ h_prev,
                      const float* __restrict__ c_prev, const float* __restrict__ w, float* __restrict__ gates,
                      float* __restrict__ h, float* __restrict__ c) {
    ENAS_SHARED(float, row, kLstmChunk);
    const int b = static_cast<int>(blockIdx.y), hidden = s.hidden, four_h = 4 * hidden;
    const int j = static_cast<int>(blockIdx.x) * kLstmThreads + static_cast<int>(threadIdx.x);
    const int depth = s.in + hidden;
    const float* xb = x + static_cast<std::int64_t>(b) * s.in;
    const float* hb = h_prev + static_cast<std::int64_t>(b) * hidden;
    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int k0 = 0; k0 < depth; k0 += kLstmChunk) {
        const int len = min(kLstmChunk, depth - k0);
        for (int k = static_cast<int>(threadIdx.x); k < len; k += kLstmThreads) {
            const int kk = k0 + k;
            row[k] = kk < s.in ? __ldg(xb + kk) : __ldg(hb + kk - s.in);
        }
        __syncthreads();
        if (j < hidden) {
            const float* wk = w + static_cast<std::int64_t>(k0) * four_h + j;
            for (int k = 0; k < len; ++k, wk += four_h) {
                const float v = row[k];
                for (int gate = 0; gate < 4; ++gate) acc[gate] = fmaf(v, __ldg(wk + gate * hidden), acc[gate]);
            }
        }
        __syncthreads();  // before the next chunk overwrites the row
    }
    if (j >= hidden) return;
    const float i = sigmoidf(acc[0]), f = sigmoidf(acc[1]), o = sigmoidf(acc[2]), g = tanhf(acc[3]);
    const std::int64_t at = static_cast<std::int64_t>(b) * hidden + j;
    const float cj = i * g + f * __ldg(c_prev + at);
    float* gb = gates + static_cast<std::int64_t>(b) * four_h + j;
    gb[0] = i;
    gb[hidden] = f;
    gb[2 * hidden] = o;
    gb[3 * hidden] = g;
    c[at] = cj;
    h[at] = o * tanhf(cj);
}

/// Gate gradients before the activations, dgates [B, 4H], from the saved gates and c and the
/// upstream dh, dc (either may be null: zero); dc_prev += dc_total * f when non-null.
__global__ void lstm_gate_gradients(LstmShape s, const float* __restrict__ gates, const float* __restrict__ c,
                                    const float* __restrict__ c_prev, const float* __restrict__ dh,
                                    const float* __restrict__ dc, float* __restrict__ dgates,
                                    float* __restrict__ dc_prev) {
    const int hidden = s.hidden;
    const std::int64_t count = static_cast<std::int64_t>(s.batch) * hidden;
    const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < count; e += stride) {
        const std::int64_t b = e / hidden, j = e - b * hidden;
        const float* gb = gates + b * 4 * hidden + j;
        const float i = gb[0], f = gb[hidden], o = gb[2 * hidden], g = gb[3 * hidden];
        const float tc = tanhf(c[e]);
        const float gh = dh ? dh[e] : 0.0f;
        const float gc = (dc ? dc[e] : 0.0f) + gh * o * (1.0f - tc * tc);
        float* db = dgates + b * 4 * hidden + j;
        db[0] = gc * g * i * (1.0f - i);
        db[hidden] = gc * c_prev[e] * f * (1.0f - f);
        db[2 * hidden] = gh * tc * o * (1.0f - o);
        db[3 * hidden] = gc * i * (1.0f - g * g);
        if (dc_prev) dc_prev[e] += gc * f;
    }
}

/// dw[k, col] += sum_b [x, h_prev][b, k] * dgates[b, col], one thread per element of W.
__global__ void lstm_weight_gradient(LstmShape s, const float* __restrict__ x, const float* __restrict__ h_prev,
                                     const float* __restrict__ dgates, float* __restrict__ dw) {
    const int four_h = 4 * s.hidden;
    const std::int64_t count = static_cast<std::int64_t>(s.in + s.hidden) * four_h;
    const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < count; e += stride) {
        const int k = static_cast<int>(e / four_h), col = static_cast<int>(e - static_cast<std::int64_t>(k) * four_h);
        const bool from_x = k < s.in;
        const float* src = from_x ? x + k : h_prev + (k - s.in);
        const int src_stride = from_x ? s.in : s.hidden;
        float acc = 0.0f;
        for (int b = 0; b < s.batch; ++b)
            acc = fmaf(__ldg(src + static_cast<std::int64_t>(b) * src_stride),
                       __ldg(dgates + static_cast<std::int64_t>(b) * four_h + col), acc);
        dw[e] += acc;
    }
}

/// dx[b, k] += dgates[b] . W[k] for k < I and dh_prev[b, k - I] += dgates[b] . W[k] for the rest;
/// one warp per (b, k), skipping the rows whose destination is null. blockDim.x is a multiple of 32.
__global__ void lstm_input_gradients(LstmShape s, const float* __restrict__ w, const float* __restrict__ dgates,
                                     float* __restrict__ dx, float* __restrict__ dh_prev) {
    const int four_h = 4 * s.hidden, depth = s.in + s.hidden, lane = static_cast<int>(threadIdx.x) % 32;
    const std::int64_t rows = static_cast<std::int64_t>(s.batch) * depth;
    const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * (blockDim.x / 32);
    for (std::int64_t r = (static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32; r < rows;
         r += warps) {
        const std::int64_t b = r / depth;
        const int k = static_cast<int>(r - b * depth);
        float* dst =
            k < s.in ? (dx ? dx + b * s.in + k : nullptr) : (dh_prev ? dh_prev + b * s.hidden + (k - s.in) : nullptr);
        if (!dst) continue;  // the same for every lane of the warp
        const float* wk = w + static_cast<std::int64_t>(k) * four_h;
        const float* db = dgates + b * four_h;
        float acc = 0.0f;
        for (int col = lane; col < four_h; col += 32) acc = fmaf(__ldg(db + col), __ldg(wk + col), acc);
        acc = warp_reduce_sum(acc);
        if (lane == 0) *dst += acc;
    }
}

}  // namespace enas::cuda::kernels
