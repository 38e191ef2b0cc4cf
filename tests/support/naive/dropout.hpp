// Naive double-precision references for the dropout family. The mask definition is the one the
// kernels document: element i of a draw (seed, base) is kept when its Philox word w satisfies
// w / 2^32 < keep_prob; kept values are scaled by 1 / keep_prob.
#pragma once
#include <cstdint>
#include <vector>

#include "enas/core/random.hpp"

namespace enas::naive {

inline bool dropout_kept(std::uint64_t seed, std::uint64_t base, std::uint64_t i, double keep_prob) {
    return static_cast<double>(philox_word(seed, base, i)) / 4294967296.0 < keep_prob;
}

/// The scaled mask (0 or 1 / keep_prob) of n elements of draw (seed, base).
inline std::vector<double> dropout_mask(std::uint64_t seed, std::uint64_t base, std::int64_t n, double keep_prob) {
    std::vector<double> m(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i)
        m[static_cast<std::size_t>(i)] =
            dropout_kept(seed, base, static_cast<std::uint64_t>(i), keep_prob) ? 1.0 / keep_prob : 0.0;
    return m;
}

/// y[i] = x[i] * mask[i / inner] for a row mask (drop-path, embedding dropout: inner = row size),
/// or y[i] = x[i] * mask[i % width] for a locked mask; returned in double.
inline std::vector<double> apply_row_mask(const std::vector<double>& x, const std::vector<double>& mask) {
    const std::size_t inner = x.size() / mask.size();
    std::vector<double> y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] * mask[i / inner];
    return y;
}

inline std::vector<double> apply_locked_mask(const std::vector<double>& x, const std::vector<double>& mask) {
    std::vector<double> y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] * mask[i % mask.size()];
    return y;
}

}  // namespace enas::naive
