// Backpropagation-through-time windows over batchified token rows (data/ptb.hpp): windows are read
// in order, and the caller carries the hidden state from one window to the next. The corrected
// language-model code (enas_lm, reference §5.3) draws each window's length at random: a base of
// `bptt` with probability 0.95, else bptt / 2; then a normal around that base with sigma 5,
// truncated to two sigmas (as TF's truncated_normal), cut to an integer and clamped to
// [1, max_length] and to the row's end; the learning rate of that step is scaled by length / bptt.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "enas/core/error.hpp"
#include "enas/core/random.hpp"

namespace enas::data {

/// One window: inputs are columns [start, start + length) of every row, targets the next column.
struct BpttWindow {
    std::int64_t start = 0, length = 0;
    double lr_scale = 1.0;  ///< length / bptt for random lengths, 1 for fixed ones
};

struct BpttOptions {
    std::int64_t bptt = 35;
    bool random_length = true;  ///< enas_lm's random lengths; false: fixed bptt windows
    double p_full = 0.95;       ///< probability of the full base length
    double sigma = 5.0;
    std::int64_t max_length = 55;  ///< bptt + 20 in enas_lm
};

/// Draws windows over rows of `row_length` columns. The RNG state is (seed, counter): a resumed
/// run that restores `counter()` draws the same lengths.
class BpttWindows {
public:
    BpttWindows(std::int64_t row_length, BpttOptions options, std::uint64_t seed)
        : row_length_(row_length), options_(options), rng_(seed) {
        check<ValueError>(options.bptt >= 1 && options.max_length >= 1, "bptt and its maximum must be >= 1, got ",
                          options.bptt, " and ", options.max_length);
        check<ValueError>(row_length >= 2, "token rows of length ", row_length, " are too short for a window");
    }

    /// The window starting at column `start` (< row_length - 1), its length clipped to the row.
    BpttWindow next(std::int64_t start) {
        check<ValueError>(start >= 0 && start < row_length_ - 1, "window start ", start, " is outside [0, ",
                          row_length_ - 1, ")");
        std::int64_t length = options_.bptt;
        if (options_.random_length) {
            const double base = rng_.uniform() < options_.p_full ? static_cast<double>(options_.bptt)
                                                                 : static_cast<double>(options_.bptt) / 2.0;
            double z = rng_.normal();
            while (std::abs(z) > 2.0) z = rng_.normal();  // TF's truncated normal: redraw beyond 2 sigma
            length =
                std::clamp<std::int64_t>(static_cast<std::int64_t>(base + options_.sigma * z), 1, options_.max_length);
        }
        length = std::min(length, row_length_ - 1 - start);
        const double scale =
            options_.random_length ? static_cast<double>(length) / static_cast<double>(options_.bptt) : 1.0;
        return {start, length, scale};
    }

    std::uint64_t counter() const { return rng_.offset(); }
    void set_counter(std::uint64_t c) { rng_.set_state(rng_.seed(), c); }

private:
    std::int64_t row_length_;
    BpttOptions options_;
    Rng rng_;
};

}  // namespace enas::data
