// RandomSearch: the same interface as the ENAS controllers, uniform over the space (every token
// uniform over its valid values, independently), and it never learns. `update` keeps the
// moving-average baseline of the rewards (so logs read the same as a controller's) but changes
// nothing else; step() stays 0. It is the baseline the seed thesis found ENAS hard to beat.
#pragma once
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "enas/controller/policy.hpp"
#include "enas/controller/reinforce.hpp"
#include "enas/controller/state_io.hpp"

namespace enas::controller {

class RandomSearch final : public ArchitecturePolicy {
public:
    explicit RandomSearch(const MacroControllerConfig& config, std::uint64_t seed = 0)
        : RandomSearch(SpaceKind::macro, (config.validate(), token_cardinalities(config)), config.reinforce, seed) {}
    explicit RandomSearch(const MicroControllerConfig& config, std::uint64_t seed = 0)
        : RandomSearch(SpaceKind::micro, (config.validate(), token_cardinalities(config)), config.reinforce, seed) {}
    explicit RandomSearch(const RnnControllerConfig& config, std::uint64_t seed = 0)
        : RandomSearch(space_kind(config), (config.validate(), token_cardinalities(config)), config.reinforce, seed) {}

    SpaceKind space() const override { return space_; }
    std::size_t num_tokens() const override { return cardinalities_.size(); }
    std::span<const int> cardinalities() const override { return cardinalities_; }
    double baseline() const override { return state_.baseline; }
    std::int64_t step() const override { return 0; }

    /// Uniform draw; in Greedy mode every token is 0 (all values tie). log_prob is the log of the
    /// uniform probability; entropy is that distribution's full entropy (= −log_prob).
    void sample_into(Sample& out, SampleMode mode = SampleMode::Stochastic) override {
        out.tokens.resize(cardinalities_.size());
        for (std::size_t i = 0; i < cardinalities_.size(); ++i)
            out.tokens[i] = mode == SampleMode::Greedy
                                ? 0
                                : static_cast<int>(rng_.below(static_cast<std::uint64_t>(cardinalities_[i])));
        fill_scores(out);
    }

    void score_into(std::span<const int> tokens, Sample& out) override {
        validate_tokens(space_, cardinalities_, tokens);
        if (out.tokens.data() != tokens.data()) out.tokens.assign(tokens.begin(), tokens.end());
        fill_scores(out);
    }

    /// Tracks the baseline of R = reward + entropy_weight · entropy; never changes the policy.
    UpdateResult update(const Sample& sample, double task_reward) override {
        UpdateResult r = begin_update(state_, reinforce_, sample, task_reward, 0.0);
        r.step = 0;
        return r;
    }

    using ArchitecturePolicy::load;
    using ArchitecturePolicy::save;
    void save(std::ostream& out) const override { write_controller_state<float>(out, space_, nullptr, state_, rng_); }
    void load(std::istream& in, const std::string& source) override {
        read_controller_state<float>(in, source, space_, nullptr, state_, rng_);
        state_.step = 0;
    }

    Rng& rng() { return rng_; }

private:
    RandomSearch(SpaceKind space, std::vector<int> cardinalities, const ReinforceConfig& reinforce, std::uint64_t seed)
        : space_(space), cardinalities_(std::move(cardinalities)), reinforce_(reinforce), rng_(seed) {
        for (int n : cardinalities_) log_prob_ -= std::log(static_cast<double>(n));
        skip_mask_.assign(cardinalities_.size(), 0);
        if (space_ == SpaceKind::macro)
            for (int l = 0; macro_layer_offset(l) < static_cast<int>(cardinalities_.size()); ++l)
                for (int j = 0; j < l; ++j) skip_mask_[static_cast<std::size_t>(macro_layer_offset(l) + 1 + j)] = 1;
    }

    void fill_scores(Sample& out) const {
        out.log_prob = log_prob_;
        out.entropy = -log_prob_;
        out.skip_penalty = 0;
        out.skip_count = 0;
        for (std::size_t i = 0; i < out.tokens.size(); ++i)
            if (skip_mask_[i]) out.skip_count += out.tokens[i];
        out.id = 0;
    }

    SpaceKind space_;
    std::vector<int> cardinalities_;
    ReinforceConfig reinforce_;
    Rng rng_;
    ReinforceState state_;
    std::vector<char> skip_mask_;  // macro: 1 at skip-bit positions
    double log_prob_ = 0;
};

}  // namespace enas::controller
