// CUDA's math intrinsics for the emulated build. The standard single-precision functions (expf,
// tanhf, logf, sqrtf, fmaxf, powf, erff, ...) and the float overloads of exp/log/... come from
// <math.h>, as under nvcc; the fast intrinsics (__expf, __fdividef, ...) are computed at full
// precision here, so a kernel that is only accurate thanks to them is not caught.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <math.h>

inline float __expf(float x) { return std::exp(x); }
inline float __logf(float x) { return std::log(x); }
inline float __log2f(float x) { return std::log2(x); }
inline float __powf(float base, float exponent) { return std::pow(base, exponent); }
inline float __sinf(float x) { return std::sin(x); }
inline float __cosf(float x) { return std::cos(x); }
inline float __tanf(float x) { return std::tan(x); }
inline float __fdividef(float numerator, float denominator) { return numerator / denominator; }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float __frsqrt_rn(float x) { return 1.0f / std::sqrt(x); }
inline float __fsqrt_rn(float x) { return std::sqrt(x); }
inline float __frcp_rn(float x) { return 1.0f / x; }
namespace enas::emu::detail {
/// Hides `v` from the optimiser so that a product or sum rounded here is never contracted into a
/// fused multiply-add with a neighbouring operation (the emulated kernels are compiled with
/// -ffp-contract=fast on FMA hardware, the way nvcc's --fmad=true fuses; see docs/gpu.md).
inline float rounded(float v) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    asm("" : "+x"(v));
#else
    volatile float stored = v;
    v = stored;
#endif
    return v;
}
}  // namespace enas::emu::detail
// As on the GPU, __fadd_rn and __fmul_rn round their result and are never fused with another op.
inline float __fadd_rn(float a, float b) { return enas::emu::detail::rounded(a + b); }
inline float __fmul_rn(float a, float b) { return enas::emu::detail::rounded(a * b); }
inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
/// Clamps to [0, 1]; NaN becomes 0 as on the GPU.
inline float __saturatef(float x) { return x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f; }

inline float __int_as_float(int x) { return std::bit_cast<float>(x); }
inline int __float_as_int(float x) { return std::bit_cast<int>(x); }
inline float __uint_as_float(unsigned int x) { return std::bit_cast<float>(x); }
inline unsigned int __float_as_uint(float x) { return std::bit_cast<unsigned int>(x); }

inline int __popc(unsigned int x) { return std::popcount(x); }
inline int __popcll(unsigned long long x) { return std::popcount(x); }
/// Position (1-based) of the least significant set bit, 0 for 0.
inline int __ffs(int x) { return x == 0 ? 0 : std::countr_zero(static_cast<unsigned int>(x)) + 1; }
inline int __ffsll(long long x) { return x == 0 ? 0 : std::countr_zero(static_cast<unsigned long long>(x)) + 1; }
inline int __clz(int x) { return std::countl_zero(static_cast<unsigned int>(x)); }
inline int __clzll(long long x) { return std::countl_zero(static_cast<unsigned long long>(x)); }
inline unsigned int __brev(unsigned int x) {
    unsigned int reversed = 0;
    for (int bit = 0; bit < 32; ++bit) reversed |= ((x >> bit) & 1u) << (31 - bit);
    return reversed;
}

// CUDA's integer and floating min/max overloads (host and device functions under nvcc).
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a < b ? b : a; }
inline unsigned int min(unsigned int a, unsigned int b) { return a < b ? a : b; }
inline unsigned int max(unsigned int a, unsigned int b) { return a < b ? b : a; }
inline unsigned int min(int a, unsigned int b) { return min(static_cast<unsigned int>(a), b); }
inline unsigned int max(int a, unsigned int b) { return max(static_cast<unsigned int>(a), b); }
inline unsigned int min(unsigned int a, int b) { return min(a, static_cast<unsigned int>(b)); }
inline unsigned int max(unsigned int a, int b) { return max(a, static_cast<unsigned int>(b)); }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a < b ? b : a; }
inline long min(long a, long b) { return a < b ? a : b; }
inline long max(long a, long b) { return a < b ? b : a; }
inline unsigned long min(unsigned long a, unsigned long b) { return a < b ? a : b; }
inline unsigned long max(unsigned long a, unsigned long b) { return a < b ? b : a; }
inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
inline unsigned long long max(unsigned long long a, unsigned long long b) { return a < b ? b : a; }
inline float min(float a, float b) { return std::fmin(a, b); }
inline float max(float a, float b) { return std::fmax(a, b); }
inline double min(double a, double b) { return std::fmin(a, b); }
inline double max(double a, double b) { return std::fmax(a, b); }
