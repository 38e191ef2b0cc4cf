// Counter-based randomness for the data pipeline. Every random choice the pipeline makes (the
// epoch's order, an image's crop, flip and cutout, a validation batch) is a pure function of
// (seed, stream, epoch or counter, position) through Philox (core/random.hpp), so it does not
// depend on which thread computes it, on prefetching, or on where a resumed run restarted.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "enas/core/random.hpp"

namespace enas::data {

/// The independent Philox streams of the data pipeline. The stream and a 48-bit epoch (or
/// counter) form the high 64 bits of the Philox counter; the low 64 bits are the position.
enum class DataStream : std::uint64_t {
    kShuffle = 0x5348,     ///< the per-epoch Fisher-Yates order
    kAugment = 0x4147,     ///< crop offsets and the flip bit
    kCutout = 0x4354,      ///< the cutout square's corner
    kValidBatch = 0x5642,  ///< random validation minibatches
};

/// Four random words for `position` in (`seed`, `stream`, `epoch`).
inline PhiloxBlock data_random(std::uint64_t seed, DataStream stream, std::uint64_t epoch, std::uint64_t position) {
    const std::uint64_t hi = (static_cast<std::uint64_t>(stream) << 48) | (epoch & 0xFFFFFFFFFFFFull);
    return philox4x32(position, hi, seed);
}

/// A uniform integer in [0, n) from two random words (bias below n / 2^64; 0 when n == 0).
inline std::uint64_t uniform_below(std::uint32_t w0, std::uint32_t w1, std::uint64_t n) {
    const std::uint64_t w = (static_cast<std::uint64_t>(w0) << 32) | w1;
    return n == 0 ? 0 : w % n;
}

/// Writes into `order` (resized to n, reusing its capacity) the permutation of 0..n-1 for
/// (`seed`, `epoch`): Fisher-Yates from the back, the swap partner of slot i drawn from
/// Philox at position i of the shuffle stream.
inline void shuffled_order(std::int64_t n, std::uint64_t seed, std::int64_t epoch, std::vector<std::int64_t>& order) {
    order.resize(static_cast<std::size_t>(n < 0 ? 0 : n));
    for (std::int64_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
    for (std::int64_t i = n - 1; i > 0; --i) {
        const PhiloxBlock b =
            data_random(seed, DataStream::kShuffle, static_cast<std::uint64_t>(epoch), static_cast<std::uint64_t>(i));
        const auto j = static_cast<std::size_t>(uniform_below(b.v[0], b.v[1], static_cast<std::uint64_t>(i + 1)));
        std::swap(order[static_cast<std::size_t>(i)], order[j]);
    }
}

}  // namespace enas::data
