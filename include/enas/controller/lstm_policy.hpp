// LstmPolicy<T>: what the three ENAS controllers share: the weights (one ParameterArena), the
// fused recording (PolicyTrace), the sampling RNG, REINFORCE with its baseline and Adam, and
// state files. A controller only says how it unrolls: `record(trace, decider)` runs its LSTM
// over the decisions in order, asking the decider for each token (sample, argmax, or teacher
// forcing). T is float for use and double for gradient checks.
#pragma once
#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "enas/controller/policy.hpp"
#include "enas/controller/policy_trace.hpp"
#include "enas/controller/reinforce.hpp"
#include "enas/controller/state_io.hpp"

namespace enas::controller {

template <Scalar T>
class LstmPolicy : public ArchitecturePolicy {
public:
    using Trace = PolicyTrace<T>;

    LstmPolicy(const LstmPolicy&) = delete;
    LstmPolicy& operator=(const LstmPolicy&) = delete;

    SpaceKind space() const override { return space_; }
    std::size_t num_tokens() const override { return cardinalities_.size(); }
    std::span<const int> cardinalities() const override { return cardinalities_; }
    double baseline() const override { return state_.baseline; }
    std::int64_t step() const override { return state_.step; }

    void sample_into(Sample& out, SampleMode mode = SampleMode::Stochastic) override {
        out.tokens.resize(cardinalities_.size());
        Decider decider(mode, rng_, out.tokens);
        run(decider, out);
    }

    void score_into(std::span<const int> tokens, Sample& out) override {
        validate_tokens(space_, cardinalities_, tokens);
        if (out.tokens.data() != tokens.data()) out.tokens.assign(tokens.begin(), tokens.end());
        Decider decider(std::span<const int>(out.tokens), out.tokens);
        run(decider, out);
    }

    UpdateResult update(const Sample& sample, double task_reward) override {
        if (!holds_recording_of(sample)) validate_tokens(space_, cardinalities_, sample.tokens);  // before any change
        UpdateResult r = begin_update(state_, reinforce_, sample, task_reward, skip_weight_);
        accumulate_gradient(sample, r.advantage, gradient_scale(reinforce_));
        finish_update(state_, reinforce_, ctx_, params_, r);
        if (r.applied) trace_.invalidate();  // the weights changed: a later gradient re-records
        return r;
    }

    /// Adds scale · d loss / d weights to parameters().grads(), where
    ///   loss = −log π(sample.tokens) · advantage + skip_weight · skip_penalty(sample.tokens),
    /// and returns the loss. Reuses the recording when `sample` is the last one recorded (same id
    /// and tokens), else records it again under teacher forcing (same values: the unroll is
    /// deterministic).
    double accumulate_gradient(const Sample& sample, double advantage, double scale = 1.0) {
        if (!holds_recording_of(sample)) {
            validate_tokens(space_, cardinalities_, sample.tokens);
            Decider decider(std::span<const int>(sample.tokens), recorded_tokens_);
            trace_.begin(entropy_form_);
            record(trace_, decider);
        }
        trace_.backward(static_cast<T>(-advantage * scale), static_cast<T>(skip_weight_ * scale));
        return -trace_.log_prob() * advantage + skip_weight_ * trace_.skip_penalty();
    }

    using ArchitecturePolicy::load;
    using ArchitecturePolicy::save;
    void save(std::ostream& out) const override { write_controller_state(out, space_, &params_, state_, rng_); }
    void load(std::istream& in, const std::string& source) override {
        read_controller_state(in, source, space_, &params_, state_, rng_);
        trace_.invalidate();
    }

    /// The weights, their gradient accumulator and Adam moments.
    ParameterArena<T>& parameters() { return params_; }
    const ParameterArena<T>& parameters() const { return params_; }
    const ReinforceConfig& reinforce_config() const { return reinforce_; }
    ReinforceState& reinforce_state() { return state_; }
    Rng& rng() { return rng_; }
    /// The context whose caching allocator holds every tensor of this controller.
    const Context<Cpu>& context() const { return ctx_; }
    /// The last recording (for inspection in tests).
    const Trace& trace() const { return trace_; }

protected:
    LstmPolicy(SpaceKind space, std::vector<int> cardinalities, int hidden, const ReinforceConfig& reinforce,
               double skip_weight, EntropyForm entropy_form, std::uint64_t seed)
        : space_(space), cardinalities_(std::move(cardinalities)), reinforce_(reinforce), skip_weight_(skip_weight),
          entropy_form_(entropy_form), ctx_(seed), rng_(seed), trace_(ctx_, params_, hidden) {
        recorded_tokens_.resize(cardinalities_.size());
    }

    /// Declares the blocks, then call `allocate_parameters` and initialise them.
    ParameterArena<T>& arena() { return params_; }
    void allocate_parameters() { params_.allocate(ctx_); }
    /// A generator for weight initialisation, independent of the sampling stream.
    static Rng init_rng(std::uint64_t seed) { return Rng(seed ^ 0xC0FFEE5EED5ull, 0); }

    /// Unrolls the policy, asking `decider` for every token position exactly once.
    virtual void record(Trace& trace, Decider& decider) = 0;

private:
    /// True when the trace holds the recording of exactly this sample under the current weights.
    bool holds_recording_of(const Sample& sample) const {
        return sample.id != 0 && sample.id == trace_.id() &&
               std::equal(sample.tokens.begin(), sample.tokens.end(), recorded_tokens_.begin(), recorded_tokens_.end());
    }

    void run(Decider& decider, Sample& out) {
        trace_.begin(entropy_form_);
        record(trace_, decider);
        std::copy(out.tokens.begin(), out.tokens.end(), recorded_tokens_.begin());
        out.log_prob = trace_.log_prob();
        out.entropy = trace_.entropy();
        out.skip_penalty = trace_.skip_penalty();
        out.skip_count = trace_.skip_count();
        out.id = trace_.id();
    }

    SpaceKind space_;
    std::vector<int> cardinalities_;
    ReinforceConfig reinforce_;
    double skip_weight_;
    EntropyForm entropy_form_;
    Context<Cpu> ctx_;
    ParameterArena<T> params_;
    Rng rng_;
    ReinforceState state_;
    Trace trace_;
    std::vector<int> recorded_tokens_;  // the tokens of the trace's recording
};

}  // namespace enas::controller
