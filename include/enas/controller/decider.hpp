// Decider: how a controller takes each decision given the policy's probabilities: draw it
// (search), take the argmax (derive), or read it from a given token vector (teacher forcing, for
// scoring an architecture and for recomputing a sample's gradient). It writes the chosen value
// to the output token buffer at the decision's token position.
#pragma once
#include <cstdint>
#include <span>

#include "enas/controller/policy.hpp"
#include "enas/core/random.hpp"

namespace enas::controller {

class Decider {
public:
    enum class Mode { Stochastic, Greedy, Forced };

    /// Draws from the policy with `rng`, or takes argmaxes when mode is Greedy.
    Decider(SampleMode mode, Rng& rng, std::span<int> out)
        : mode_(mode == SampleMode::Greedy ? Mode::Greedy : Mode::Stochastic), rng_(&rng), out_(out) {}
    /// Teacher forcing: every decision takes forced[position] (validated by the caller).
    Decider(std::span<const int> forced, std::span<int> out) : mode_(Mode::Forced), forced_(forced), out_(out) {}

    Mode mode() const { return mode_; }

    /// Chooses one of n values with probabilities p (summing to 1).
    template <class T>
    int pick(int position, const T* p, int n) {
        int a = 0;
        if (mode_ == Mode::Forced) {
            a = forced_[static_cast<std::size_t>(position)];
        } else if (mode_ == Mode::Greedy) {
            for (int k = 1; k < n; ++k)
                if (p[k] > p[a]) a = k;
        } else {
            // Inverse CDF with a uniform in (0, 1]; the last value with p > 0 takes the rounding slack.
            double u = uniform_open_from_word(rng_->next_u32());
            a = -1;
            for (int k = 0; k < n; ++k) {
                if (p[k] <= T(0)) continue;
                a = k;
                u -= static_cast<double>(p[k]);
                if (u <= 0) break;
            }
            if (a < 0) a = 0;
        }
        out_[static_cast<std::size_t>(position)] = a;
        return a;
    }

    /// Chooses a bit that is 1 with probability p1.
    int pick_bit(int position, double p1) {
        int bit = 0;
        if (mode_ == Mode::Forced)
            bit = forced_[static_cast<std::size_t>(position)];
        else if (mode_ == Mode::Greedy)
            bit = p1 > 0.5 ? 1 : 0;
        else
            bit = uniform_open_from_word(rng_->next_u32()) <= p1 ? 1 : 0;
        out_[static_cast<std::size_t>(position)] = bit;
        return bit;
    }

private:
    Mode mode_;
    Rng* rng_ = nullptr;
    std::span<const int> forced_;
    std::span<int> out_;
};

}  // namespace enas::controller
