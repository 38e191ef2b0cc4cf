// Float exp, sigmoid and tanh on vectors (GCC/Clang vector extensions): 4 lanes (one SSE
// register) on a baseline x86-64 build, 8 lanes when the build enables AVX. glibc's expf and
// tanhf are scalar calls, and the compiler does not vectorise branchy scalar versions under the
// default trapping-math rules, so the controller's pointwise loops are written on vectors.
// Accuracy: exp within 2 ulp on [−87, 88] (Cephes polynomial after round-to-nearest range
// reduction), sigmoid within 3e-7 relative, tanh within 3e-7 absolute. Doubles use the exact std
// functions, so gradient checks and enumeration tests run on the exact math.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace enas::controller::kernels {

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

/// e^x lane-wise, x clamped to [−87, 88] (no denormals, no infinity).
inline f32xN fast_exp(f32xN x) {
    x = x < splat(-87.0f) ? splat(-87.0f) : x;
    x = x > splat(88.0f) ? splat(88.0f) : x;
    const f32xN round = splat(12582912.0f);  // 1.5 · 2^23: adding and subtracting it rounds to an integer
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

inline f32xN fast_sigmoid(f32xN x) { return 1.0f / (1.0f + fast_exp(-x)); }

/// tanh lane-wise: (1 − e^{−2|x|}) / (1 + e^{−2|x|}) with the sign restored, and an odd Taylor
/// polynomial below |x| = 1/16 where the quotient would lose relative precision.
inline f32xN fast_tanh(f32xN x) {
    const f32xN ax = x < 0.0f ? -x : x;
    const f32xN e = fast_exp(-2.0f * ax);
    const f32xN big = (1.0f - e) / (1.0f + e);
    const f32xN x2 = x * x;
    const f32xN small = ax * (1.0f + x2 * (-1.0f / 3.0f + x2 * (2.0f / 15.0f + x2 * (-17.0f / 315.0f))));
    const f32xN t = ax < 0.0625f ? small : big;
    return x < 0.0f ? -t : t;
}

/// Scalar forms (one lane of the vector code, so both agree exactly).
inline float fast_exp(float x) { return fast_exp(splat(x))[0]; }
inline float fast_sigmoid(float x) { return fast_sigmoid(splat(x))[0]; }
inline float fast_tanh(float x) { return fast_tanh(splat(x))[0]; }

/// The activations of the scalar paths: fast for float, exact for double.
template <class T>
inline T act_sigmoid(T x) {
    if constexpr (std::is_same_v<T, float>)
        return fast_sigmoid(x);
    else
        return T(1) / (T(1) + std::exp(-x));
}
template <class T>
inline T act_tanh(T x) {
    if constexpr (std::is_same_v<T, float>)
        return fast_tanh(x);
    else
        return std::tanh(x);
}

/// Calls f(offset, lanes) over [0, n) in kVectorLanes-lane chunks; the tail chunk is copied through padded
/// scratch by the callers' load/store helpers below.
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

}  // namespace enas::controller::kernels
