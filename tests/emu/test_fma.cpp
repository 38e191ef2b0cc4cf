// The FMA-contraction mode (ENAS_EMU_FMA, docs/gpu.md): the emulated kernels fuse a * b + c into one
// rounding as nvcc does by default, so a zero-tolerance comparison with the CPU (which rounds the
// product and the sum separately) fails here as it would on a GPU; __fmul_rn/__fadd_rn are never
// fused and match the CPU bit for bit.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "emu_test_utils.hpp"
#include "kernels/fma.cuh"

namespace emu_test {
namespace {

struct Inputs {
    std::vector<float> x, m, acc;
};

Inputs random_inputs(std::size_t n) {
    std::mt19937 gen(7);
    std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
    Inputs in{std::vector<float>(n), std::vector<float>(n), std::vector<float>(n)};
    for (std::size_t i = 0; i < n; ++i) {
        in.x[i] = dist(gen);
        in.m[i] = dist(gen);
        in.acc[i] = dist(gen);
    }
    return in;
}

/// acc + x * m with two roundings, as the CPU build computes it (volatile keeps it unfused).
float twice_rounded(float acc, float x, float m) {
    volatile float product = x * m;
    return acc + product;
}

template <auto Kernel>
std::vector<float> run(const Inputs& in) {
    const auto n = static_cast<std::int64_t>(in.x.size());
    DeviceArray<float> x(in.x), m(in.m), acc(in.acc);
    enas::cuda::launch<Kernel>(static_cast<unsigned int>((n + 127) / 128), 128, 0, nullptr, x.get(), m.get(), acc.get(),
                               n);
    return acc.download();
}

}  // namespace

#if defined(ENAS_EMU_FMA) && ENAS_EMU_FMA
TEST_CASE("FMA mode: a contractible acc += x * m is fused and fails a bit-exact comparison with the CPU", "[emu]") {
    const Inputs in = random_inputs(4096);
    const std::vector<float> got = run<accumulate_contractible>(in);
    std::size_t differ_from_cpu = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        // Exactly one rounding, as on a GPU ...
        REQUIRE(got[i] == std::fma(in.x[i], in.m[i], in.acc[i]));
        differ_from_cpu += got[i] != twice_rounded(in.acc[i], in.x[i], in.m[i]);
    }
    // ... so the zero-tolerance comparison a test would make against the CPU is caught here.
    INFO(differ_from_cpu << " of " << got.size() << " elements differ from the twice-rounded CPU result");
    REQUIRE(differ_from_cpu > got.size() / 20);
}
#endif

TEST_CASE("__fmul_rn and __fadd_rn are never fused: bit-exact with the CPU in every mode", "[emu]") {
    const Inputs in = random_inputs(4096);
    const std::vector<float> got = run<accumulate_never_fused>(in);
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("element " << i);
        REQUIRE(got[i] == twice_rounded(in.acc[i], in.x[i], in.m[i]));
    }
}

}  // namespace emu_test
