// The dense-conv shapes the benchmarks time, in one list for the CPU benchmark
// (benchmarks/bench_conv.cpp, beside benchmarks/peer/torch_conv.py's SHAPES) and the GPU timing
// tool (cuda/tools/gpu_timing.cpp).
#pragma once
#include <cstdint>
#include <string>

namespace enas::bench {

struct ConvShape {
    const char* name;  ///< kernel and stride, e.g. "k3_s1"
    std::int64_t n, c_in, c_out, h, w, k;
    int stride;

    /// The name with the batch, channels and spatial size, e.g. "k3_s1 n128 c36 32x32".
    std::string label() const {
        return std::string(name) + " n" + std::to_string(n) + " c" + std::to_string(c_in) + " " + std::to_string(h) +
               "x" + std::to_string(w);
    }
};

/// The macro search shape (N = 128, 36 channels, 32 x 32). Keep in step with SHAPES in
/// benchmarks/peer/torch_conv.py.
inline constexpr ConvShape kMacroConvShapes[] = {
    {"k3_s1", 128, 36, 36, 32, 32, 3, 1},
    {"k1_s1", 128, 36, 36, 32, 32, 1, 1},
    {"k5_s1", 128, 36, 36, 32, 32, 5, 1},
    {"k3_s2", 128, 36, 36, 32, 32, 3, 2},
};

/// The micro search's deeper stages (more channels, 16 x 16 and 8 x 8).
inline constexpr ConvShape kMicroDeepConvShapes[] = {
    {"k1_s1", 128, 80, 80, 16, 16, 1, 1},
    {"k3_s1", 128, 160, 160, 8, 8, 3, 1},
    {"k1_s1", 128, 384, 384, 8, 8, 1, 1},
};

}  // namespace enas::bench
