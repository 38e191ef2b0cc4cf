// Kernels of the elementwise family: activations, add, mul, scale, axpy. Every kernel is a
// grid-stride loop over n elements.
#pragma once
#include <cstdint>

#include "kernels/device_helpers.cuh"
#include "portable.cuh"

namespace enas::cuda::kernels {

__global__ void activation_forward(Activation a, const float* __restrict__ x, float* __restrict__ y, std::int64_t n) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) y[i] = activate(a, x[i]);
}

__global__ void activation_backward(Activation a, const float* __restrict__ y, const float* __restrict__ gy,
                                    float* __restrict__ gx, std::int64_t n) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride())
        gx[i] += gy[i] * activation_grad_from_output(a, y[i]);
}

__global__ void add_forward(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ y,
                            std::int64_t n) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) y[i] = a[i] + b[i];
}

__global__ void mul_forward(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ y,
                            std::int64_t n) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) y[i] = a[i] * b[i];
}

/// ga += gy * b.
__global__ void mul_backward(const float* __restrict__ gy, const float* __restrict__ b, float* __restrict__ ga,
                             std::int64_t n) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) ga[i] += gy[i] * b[i];
}

__global__ void scale_forward(float alpha, const float* __restrict__ x, float* __restrict__ y, std::int64_t n) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) y[i] = alpha * x[i];
}

/// y += alpha * x.
__global__ void axpy(float alpha, const float* __restrict__ x, float* __restrict__ y, std::int64_t n) {
    for (std::int64_t i = grid_start(); i < n; i += grid_stride()) y[i] += alpha * x[i];
}

}  // namespace enas::cuda::kernels
