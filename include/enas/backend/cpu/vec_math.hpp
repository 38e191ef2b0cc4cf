// exp, sigmoid and tanh for the CPU kernels in a form GCC vectorizes inside `omp simd` loops.
// std::exp / std::tanh stay scalar libm calls without -ffast-math, which made every activation,
// the LSTM gates and softmax several times slower than the surrounding arithmetic. Float uses the
// polynomials below (relative error under 3e-7, checked in tests/ops/test_elementwise.cpp); double
// keeps libm, because gradient checks need full precision. Range checks are integer masks: a
// float select would need -fno-trapping-math to vectorize.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>

namespace enas::cpu {

/// e^x: x = n ln2 + r with |r| <= ln2 / 2, Cephes' expf polynomial for e^r, 2^n from exponent
/// bits. Exactly 0 below -87.3 (also for -inf), where expf has only denormals left; saturates above 88.3.
inline float vexp(float x) {
    constexpr float kLow = -87.3f, kHigh = 88.3f;
    const std::int32_t below = -static_cast<std::int32_t>(x < kLow);  // all ones when below
    const std::int32_t above = -static_cast<std::int32_t>(x > kHigh);
    const std::int32_t clamped = (std::bit_cast<std::int32_t>(x) & ~(below | above)) |
                                 (std::bit_cast<std::int32_t>(kLow) & below) |
                                 (std::bit_cast<std::int32_t>(kHigh) & above);
    const float xc = std::bit_cast<float>(clamped);
    const float n = (xc * 1.44269504088896341f + 12582912.f) - 12582912.f;  // round to nearest
    const float r = (xc - n * 0.693359375f) - n * -2.12194440e-4f;          // ln2 split in two
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.f;
    const float e = p * std::bit_cast<float>((static_cast<std::int32_t>(n) + 127) << 23);
    return std::bit_cast<float>(std::bit_cast<std::int32_t>(e) & ~below);
}
inline double vexp(double x) { return std::exp(x); }

/// 1 / (1 + e^-x).
inline float vsigmoid(float x) { return 1.f / (1.f + vexp(-x)); }
inline double vsigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// tanh: Cephes' odd polynomial for |x| < 0.625 (keeps relative accuracy near 0), else
/// 1 - 2 / (e^{2|x|} + 1) with the sign restored; both are computed and blended with a mask.
inline float vtanh(float x) {
    const float ax = std::bit_cast<float>(std::bit_cast<std::int32_t>(x) & 0x7fffffff);
    const float z = x * x;
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    const float small = x + x * z * p;
    const float big_abs = 1.f - 2.f / (vexp(2.f * ax) + 1.f);
    const std::int32_t sign = std::bit_cast<std::int32_t>(x) & static_cast<std::int32_t>(0x80000000u);
    const float big = std::bit_cast<float>(std::bit_cast<std::int32_t>(big_abs) | sign);
    const std::int32_t use_small = -static_cast<std::int32_t>(ax < 0.625f);
    return std::bit_cast<float>((std::bit_cast<std::int32_t>(small) & use_small) |
                                (std::bit_cast<std::int32_t>(big) & ~use_small));
}
inline double vtanh(double x) { return std::tanh(x); }

}  // namespace enas::cpu
