// The emulator's warp matrix operations (cuda/emu/wmma.hpp): TF32 rounding exactly as
// cvt.rna.tf32.f32, and a 16 x 16 x 16 multiply-accumulate on TF32 inputs within the tolerance that
// TF32 precision gives against an FP64 reference, and bit-exact with the emulator's stated model.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "emu_test_utils.hpp"
#include "kernels/wmma.cuh"

namespace emu_test {
namespace {

float tf32_truncated(float x) { return std::bit_cast<float>(std::bit_cast<std::uint32_t>(x) & ~0x1FFFu); }

struct Tiles {
    std::vector<float> a, b, c;  // a row-major [m][k], b column-major [n][k], c row-major [m][n]
};

Tiles random_tiles() {
    std::mt19937 gen(11);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    Tiles t{std::vector<float>(256), std::vector<float>(256), std::vector<float>(256)};
    for (int i = 0; i < 256; ++i) {
        t.a[i] = dist(gen);
        t.b[i] = dist(gen);
        t.c[i] = dist(gen);
    }
    return t;
}

std::vector<float> run(const Tiles& t, bool round) {
    DeviceArray<float> a(t.a), b(t.b), c(t.c), d(256);
    enas::cuda::launch<tf32_tile_mma>(1, 32, 0, nullptr, a.get(), b.get(), c.get(), d.get(), round ? 1 : 0);
    return d.download();
}

}  // namespace

TEST_CASE("wmma::__float_to_tf32 rounds to 10 mantissa bits, ties away from zero", "[emu]") {
    using nvcuda::wmma::__float_to_tf32;
    const float ulp = std::ldexp(1.0f, -10);  // TF32's ulp at 1
    CHECK(__float_to_tf32(1.0f) == 1.0f);
    CHECK(__float_to_tf32(1.0f + ulp / 4) == 1.0f);
    CHECK(__float_to_tf32(1.0f + ulp / 2) == 1.0f + ulp);    // a tie: away from zero
    CHECK(__float_to_tf32(-1.0f - ulp / 2) == -1.0f - ulp);  // symmetric
    CHECK(__float_to_tf32(1.0f + ulp * 3 / 4) == 1.0f + ulp);
    CHECK(std::isinf(__float_to_tf32(std::numeric_limits<float>::max())));  // rounds past the largest TF32
    CHECK(std::isnan(__float_to_tf32(std::numeric_limits<float>::quiet_NaN())));
    CHECK(__float_to_tf32(std::numeric_limits<float>::infinity()) == std::numeric_limits<float>::infinity());
    for (float x : {0.1f, -3.7f, 1e-30f, 12345.678f}) {
        const float r = __float_to_tf32(x);
        CHECK((std::bit_cast<std::uint32_t>(r) & 0x1FFFu) == 0u);
        CHECK(std::fabs(r - x) <= std::fabs(x) * std::ldexp(1.0f, -11));
    }
}

TEST_CASE("wmma m16n16k8 TF32 multiply-accumulate: within TF32's tolerance, as the model states", "[emu]") {
    const Tiles t = random_tiles();
    const std::vector<float> got = run(t, true);
    const std::vector<float> unrounded_inputs = run(t, false);
    int differ_from_fp32 = 0;
    for (int m = 0; m < 16; ++m) {
        for (int n = 0; n < 16; ++n) {
            double exact = t.c[m * 16 + n], magnitude = std::fabs(exact);
            float model = t.c[m * 16 + n], fp32 = t.c[m * 16 + n];
            for (int k = 0; k < 16; ++k) {
                const float a = t.a[m * 16 + k], b = t.b[n * 16 + k];
                exact += static_cast<double>(a) * b;
                magnitude += std::fabs(static_cast<double>(a) * b);
                model += nvcuda::wmma::__float_to_tf32(a) * nvcuda::wmma::__float_to_tf32(b);
                fp32 = std::fma(a, b, fp32);
            }
            INFO("element (" << m << ", " << n << ")");
            // Each input within 2^-11 relative, so each product within 2^-10 (+ 2^-22); FP32 sums.
            const double tolerance =
                magnitude * (std::ldexp(1.0, -10) + std::ldexp(1.0, -22) + 17 * std::ldexp(1.0, -24));
            CHECK(std::fabs(got[m * 16 + n] - exact) <= tolerance);
            CHECK(got[m * 16 + n] == model);  // the emulator's model: TF32 products, FP32 adds in k order
            differ_from_fp32 += got[m * 16 + n] != fp32;
            // Unconverted inputs are read as TF32 by truncation, as the tensor cores read them.
            float truncated = t.c[m * 16 + n];
            for (int k = 0; k < 16; ++k) truncated += tf32_truncated(t.a[m * 16 + k]) * tf32_truncated(t.b[n * 16 + k]);
            CHECK(unrounded_inputs[m * 16 + n] == truncated);
        }
    }
    // TF32 is visible: most results differ from an FP32 multiply-accumulate.
    CHECK(differ_from_fp32 > 128);
}

}  // namespace emu_test
