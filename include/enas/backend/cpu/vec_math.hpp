// The CPU kernels' vectorised exp, sigmoid and tanh, in two forms:
//
// 1. Scalar functions (vexp, vsigmoid, vtanh) that GCC vectorizes inside `omp simd` loops (the
//    elementwise ops, softmax, the batched LSTM and RNN-node passes). std::exp / std::tanh stay
//    scalar libm calls without -ffast-math, which made every activation, the LSTM gates and softmax
//    several times slower than the surrounding arithmetic. Float uses the polynomials below
//    (relative error under 3e-7, checked in tests/ops/test_elementwise.cpp); double keeps libm,
//    because gradient checks need full precision. Range checks are integer masks: a float select
//    would need -fno-trapping-math to vectorize.
// 2. Explicit lanes (f32xN; lane_exp, lane_sigmoid, lane_tanh) for short loops the compiler does not
//    vectorize on its own: the batch-1 LSTM step and the controller's attention (batch 1, H = 64
//    or 100).
//
// Both exps are the same Cephes polynomial after the same range reduction; they differ in the clamp
// and in the order of the last product, and the two tanh forms are different formulas. They are
// kept as they were so that the child's and the controller's numbers stay bit-identical: the lane
// forms differ from the scalar ones on about 0.06% (exp), 0.02% (sigmoid) and 4% (tanh) of
// the float inputs in [-87, 88], by an ulp or so, which would change the controller's sampling.
#pragma once
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace enas::cpu {

// The scalar forms only vectorize once inlined into the loop; in a large translation unit GCC's
// inliner may run out of budget and call them out of line, which leaves the loop scalar (the
// recurrent node's forward ran at a scalar exp call per element inside the PTB step).
#if defined(__GNUC__)
#define ENAS_VEC_INLINE [[gnu::always_inline]] inline
#else
#define ENAS_VEC_INLINE inline
#endif

/// e^x: x = n ln2 + r with |r| <= ln2 / 2, Cephes' expf polynomial for e^r, 2^n from exponent
/// bits. Exactly 0 below -87.3 (also for -inf), where expf has only denormals left; saturates above 88.3.
ENAS_VEC_INLINE float vexp(float x) {
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
ENAS_VEC_INLINE float vsigmoid(float x) { return 1.f / (1.f + vexp(-x)); }
inline double vsigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// tanh: Cephes' odd polynomial for |x| < 0.625 (keeps relative accuracy near 0), else
/// 1 - 2 / (e^{2|x|} + 1) with the sign restored; both are computed and blended with a mask.
ENAS_VEC_INLINE float vtanh(float x) {
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

// ---- Explicit lanes (GCC/Clang vector extensions) ----
// 4 lanes (one SSE register) on a baseline x86-64 build, 8 lanes when the build enables AVX.
// Accuracy: exp within 2 ulp on [-87, 88], sigmoid within 3e-7 relative, tanh within 3e-7
// absolute (tests/controller/test_reference.cpp).

#if defined(__AVX__)
inline constexpr int kVectorLanes = 8;
#else
inline constexpr int kVectorLanes = 4;
#endif
using f32xN = float __attribute__((vector_size(kVectorLanes * sizeof(float))));
using i32xN = std::int32_t __attribute__((vector_size(kVectorLanes * sizeof(float))));

inline f32xN splat(float v) { return f32xN{} + v; }
inline f32xN load_full(const float* p) {
    f32xN v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store_full(float* p, f32xN v) { std::memcpy(p, &v, sizeof v); }

/// e^x lane-wise, x clamped to [-87, 88] (no denormals, no infinity).
inline f32xN lane_exp(f32xN x) {
    x = x < splat(-87.0f) ? splat(-87.0f) : x;
    x = x > splat(88.0f) ? splat(88.0f) : x;
    const f32xN round = splat(12582912.0f);  // 1.5 * 2^23: adding and subtracting it rounds to an integer
    const f32xN n = (x * 1.44269504088896341f + round) - round;
    f32xN r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    f32xN p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const i32xN bits = (__builtin_convertvector(n, i32xN) + 127) << 23;
    return p * std::bit_cast<f32xN>(bits);
}

inline f32xN lane_sigmoid(f32xN x) { return 1.0f / (1.0f + lane_exp(-x)); }

/// tanh lane-wise: (1 - e^{-2|x|}) / (1 + e^{-2|x|}) with the sign restored, and an odd Taylor
/// polynomial below |x| = 1/16 where the quotient would lose relative precision.
inline f32xN lane_tanh(f32xN x) {
    const f32xN ax = x < 0.0f ? -x : x;
    const f32xN e = lane_exp(-2.0f * ax);
    const f32xN big = (1.0f - e) / (1.0f + e);
    const f32xN x2 = x * x;
    const f32xN small = ax * (1.0f + x2 * (-1.0f / 3.0f + x2 * (2.0f / 15.0f + x2 * (-17.0f / 315.0f))));
    const f32xN t = ax < 0.0625f ? small : big;
    return x < 0.0f ? -t : t;
}

/// One-lane forms (the vector code on lane 0, so both agree exactly).
inline float lane_exp(float x) { return lane_exp(splat(x))[0]; }
inline float lane_sigmoid(float x) { return lane_sigmoid(splat(x))[0]; }
inline float lane_tanh(float x) { return lane_tanh(splat(x))[0]; }

/// Calls f(offset, lanes) over [0, n) in kVectorLanes-lane chunks; the tail chunk goes through
/// padded scratch in load_partial / store_partial.
template <class F>
inline void for_each_chunk(int n, F&& f) {
    int j = 0;
    for (; j + kVectorLanes <= n; j += kVectorLanes) f(j, kVectorLanes);
    if (j < n) f(j, n - j);
}

/// Loads `lanes` floats (<= kVectorLanes) into a vector, zero-padding the rest.
inline f32xN load_partial(const float* p, int lanes) {
    if (lanes == kVectorLanes) return load_full(p);
    float tmp[kVectorLanes] = {};
    std::memcpy(tmp, p, static_cast<std::size_t>(lanes) * sizeof(float));
    return load_full(tmp);
}
inline void store_partial(float* p, f32xN v, int lanes) {
    if (lanes == kVectorLanes) return store_full(p, v);
    float tmp[kVectorLanes];
    store_full(tmp, v);
    std::memcpy(p, tmp, static_cast<std::size_t>(lanes) * sizeof(float));
}

}  // namespace enas::cpu
