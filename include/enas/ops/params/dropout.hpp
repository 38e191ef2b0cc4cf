// Parameters of the dropout family, shared by every device: one draw of the counter-based Philox
// generator (key, first counter, keep probability) and the keep threshold of a random word, the
// same on the host and in CUDA kernels (ENAS_HD), so a mask is bit-identical on every device.
#pragma once
#include <cmath>
#include <cstdint>

#include "enas/core/random.hpp"  // ENAS_HD

namespace enas {

/// One dropout draw: the Philox key and the first counter reserved for it, plus the keep
/// probability. Enough to recompute the mask at any time (backward, CUDA, tests).
struct DropoutDraw {
    std::uint64_t seed = 0;
    std::uint64_t base = 0;
    double keep_prob = 1.0;
};

/// The largest word that keeps its element: w is kept when w <= limit, i.e. w / 2^32 < keep_prob
/// (limit = ceil(keep_prob * 2^32) - 1; 2^32 - 1, everything kept, for keep_prob == 1).
ENAS_HD inline std::uint32_t dropout_keep_limit(double keep_prob) {
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(std::ceil(keep_prob * 4294967296.0)) - 1u);
}

}  // namespace enas
