// The warp matrix (WMMA) subset that tensor-core kernels use, for the emulated build: CUDA's
// nvcuda::wmma names and signatures (<mma.h>), shape m16n16k8 with TF32 inputs and FP32
// accumulators, and wmma::__float_to_tf32. Under nvcc, cuda/portable.cuh includes <mma.h> instead.
//
// Model (docs/gpu.md): a fragment's elements are spread over the warp's lanes, lane l holding
// elements l, l + 32, ... of the row-major tile (CUDA leaves the layout unspecified, so kernels
// only load, store, fill, convert elements in place and multiply). load/store/fill/mma are
// warp-collective: every lane of the warp must call them (checked, as a __syncwarp is). mma_sync
// reads its A and B inputs as TF32 (the low 13 mantissa bits ignored, as the tensor cores do),
// so every product is exact in FP32, and adds the products to the accumulator in k order with
// FP32 rounding; a GPU's order and internal precision are unspecified, so tests compare with a
// tolerance of K * 2^-24 * sum |terms| on top of TF32's input rounding (2^-11 relative per input).
#pragma once
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "emu/device_functions.hpp"

namespace nvcuda::wmma {

/// Rounds to TF32 (10 mantissa bits), to nearest with ties away from zero (cvt.rna.tf32.f32);
/// the result is a float whose low 13 mantissa bits are zero. NaN and infinities pass through.
inline float __float_to_tf32(float x) {
    if (!std::isfinite(x)) return x;
    std::uint32_t bits = std::bit_cast<std::uint32_t>(x);
    bits = (bits + 0x1000u) & ~0x1FFFu;  // on the magnitude: half an ulp up, then truncate
    return std::bit_cast<float>(bits);
}

struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
enum layout_t { mem_row_major, mem_col_major };
namespace precision {
struct tf32 {};
}  // namespace precision

namespace detail {
template <class Use, int M, int N, int K>
struct FragmentShape;
template <int M, int N, int K>
struct FragmentShape<matrix_a, M, N, K> {
    static constexpr int rows = M, cols = K;
};
template <int M, int N, int K>
struct FragmentShape<matrix_b, M, N, K> {
    static constexpr int rows = K, cols = N;
};
template <int M, int N, int K>
struct FragmentShape<accumulator, M, N, K> {
    static constexpr int rows = M, cols = N;
};

inline unsigned int lane() { return ::enas::emu::detail::current_thread("wmma").lane; }
inline float as_tf32_input(float x) { return std::bit_cast<float>(std::bit_cast<std::uint32_t>(x) & ~0x1FFFu); }
}  // namespace detail

/// A tile of a warp matrix operation, spread over the warp's lanes (elements x[0..num_elements)).
template <class Use, int M, int N, int K, class T, class Layout = void>
class fragment {
    static_assert(M == 16 && N == 16 && K == 8, "the emulator implements the m16n16k8 shape only");
    static_assert(std::is_same_v<T, precision::tf32> || std::is_same_v<T, float>,
                  "the emulator implements TF32 inputs and FP32 accumulators only");

public:
    using Shape = detail::FragmentShape<Use, M, N, K>;
    static constexpr int tile_elements = Shape::rows * Shape::cols;
    static constexpr int num_elements = tile_elements / 32;
    float x[num_elements];

    /// Row and column (row-major in the tile) of element i of the calling lane.
    static int row_of(int i) {
        return static_cast<int>((detail::lane() + 32u * static_cast<unsigned int>(i)) / Shape::cols);
    }
    static int col_of(int i) {
        return static_cast<int>((detail::lane() + 32u * static_cast<unsigned int>(i)) % Shape::cols);
    }
};

template <class Use, int M, int N, int K, class T, class Layout>
inline void fill_fragment(fragment<Use, M, N, K, T, Layout>& f, float value) {
    __syncwarp();
    for (float& v : f.x) v = value;
}

/// A or B from memory in the fragment's layout, leading dimension ldm elements.
template <class Use, int M, int N, int K, class T, class Layout>
inline void load_matrix_sync(fragment<Use, M, N, K, T, Layout>& f, const float* p, unsigned int ldm) {
    static_assert(!std::is_same_v<Layout, void>, "matrix_a/matrix_b fragments have a layout");
    __syncwarp();
    using F = fragment<Use, M, N, K, T, Layout>;
    for (int i = 0; i < F::num_elements; ++i) {
        const std::size_t r = static_cast<std::size_t>(F::row_of(i)), c = static_cast<std::size_t>(F::col_of(i));
        f.x[i] = std::is_same_v<Layout, row_major> ? p[r * ldm + c] : p[c * ldm + r];
    }
}

/// An accumulator from memory laid out as `layout`.
template <int M, int N, int K>
inline void load_matrix_sync(fragment<accumulator, M, N, K, float>& f, const float* p, unsigned int ldm,
                             layout_t layout) {
    __syncwarp();
    using F = fragment<accumulator, M, N, K, float>;
    for (int i = 0; i < F::num_elements; ++i) {
        const std::size_t r = static_cast<std::size_t>(F::row_of(i)), c = static_cast<std::size_t>(F::col_of(i));
        f.x[i] = layout == mem_row_major ? p[r * ldm + c] : p[c * ldm + r];
    }
}

template <int M, int N, int K>
inline void store_matrix_sync(float* p, const fragment<accumulator, M, N, K, float>& f, unsigned int ldm,
                              layout_t layout) {
    __syncwarp();
    using F = fragment<accumulator, M, N, K, float>;
    for (int i = 0; i < F::num_elements; ++i) {
        const std::size_t r = static_cast<std::size_t>(F::row_of(i)), c = static_cast<std::size_t>(F::col_of(i));
        (layout == mem_row_major ? p[r * ldm + c] : p[c * ldm + r]) = f.x[i];
    }
}

/// d = a * b + c over the warp. Every lane publishes the addresses of its A and B fragments (warp
/// shuffles), reads the elements it needs from the others, and waits for all before returning, so
/// no lane overwrites an input another lane is still reading.
template <int M, int N, int K, class LayoutA, class LayoutB>
inline void mma_sync(fragment<accumulator, M, N, K, float>& d,
                     const fragment<matrix_a, M, N, K, precision::tf32, LayoutA>& a,
                     const fragment<matrix_b, M, N, K, precision::tf32, LayoutB>& b,
                     const fragment<accumulator, M, N, K, float>& c) {
    using A = fragment<matrix_a, M, N, K, precision::tf32, LayoutA>;
    using B = fragment<matrix_b, M, N, K, precision::tf32, LayoutB>;
    using C = fragment<accumulator, M, N, K, float>;
    const float* a_of[32];
    const float* b_of[32];
    const auto mine_a = reinterpret_cast<std::uintptr_t>(a.x), mine_b = reinterpret_cast<std::uintptr_t>(b.x);
    for (int l = 0; l < 32; ++l) {
        a_of[l] = reinterpret_cast<const float*>(__shfl_sync(0xffffffffu, mine_a, l));
        b_of[l] = reinterpret_cast<const float*>(__shfl_sync(0xffffffffu, mine_b, l));
    }
    // Element e of a row-major tile lives in lane e % 32, slot e / 32.
    const auto a_at = [&](int r, int k) {
        const int e = r * A::Shape::cols + k;
        return a_of[e % 32][e / 32];
    };
    const auto b_at = [&](int k, int col) {
        const int e = k * B::Shape::cols + col;
        return b_of[e % 32][e / 32];
    };
    float out[C::num_elements];
    for (int i = 0; i < C::num_elements; ++i) {
        const int r = C::row_of(i), col = C::col_of(i);
        float sum = c.x[i];
        for (int k = 0; k < K; ++k) sum += detail::as_tf32_input(a_at(r, k)) * detail::as_tf32_input(b_at(k, col));
        out[i] = sum;
    }
    __syncwarp();  // every lane has read every input
    for (int i = 0; i < C::num_elements; ++i) d.x[i] = out[i];
}

}  // namespace nvcuda::wmma
