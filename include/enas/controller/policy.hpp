// The interface every architecture policy offers the search loop: the ENAS LSTM controllers
// (macro, micro, recurrent) and RandomSearch. A policy samples token vectors in the authors' flat
// orders (token_space.hpp) and learns from (sample, reward) pairs with REINFORCE.
#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "enas/controller/token_space.hpp"

namespace enas::controller {

/// How decisions are taken when sampling.
enum class SampleMode {
    Stochastic,  ///< draw each decision from the policy (search)
    Greedy,      ///< take the most probable value at every decision (derive)
};

/// One architecture drawn from (or scored by) a policy.
struct Sample {
    std::vector<int> tokens;  ///< the architecture in the space's flat order
    double log_prob = 0;      ///< Σ over decisions of log π(a) (<= 0); the authors' sample_log_prob is −log_prob
    double entropy = 0;       ///< the space's entropy term (config entropy_form), no gradient; goes into the reward
    double skip_penalty = 0;  ///< macro: mean over layers 1..L−1 of the skip KL toward ρ (0 elsewhere)
    int skip_count = 0;       ///< macro: number of skip bits set (0 elsewhere)
    std::uint64_t id = 0;     ///< identifies the policy's recording of this sample (0: none)
};

/// What one REINFORCE update did.
struct UpdateResult {
    double reward = 0;      ///< R = task reward + entropy_weight · entropy
    double baseline = 0;    ///< b after b <- b − (1 − β)(b − R): the value used in the advantage
    double advantage = 0;   ///< R − b
    double loss = 0;        ///< (−log π)·(R − b) + skip_weight · skip_penalty
    bool applied = false;   ///< this call completed a group of num_aggregate samples and took an Adam step
    std::int64_t step = 0;  ///< Adam steps taken so far (the controller's train_step)
};

/// A policy over one search space.
class ArchitecturePolicy {
public:
    virtual ~ArchitecturePolicy() = default;

    virtual SpaceKind space() const = 0;
    /// Number of tokens of one architecture.
    virtual std::size_t num_tokens() const = 0;
    /// Number of valid values of each token position.
    virtual std::span<const int> cardinalities() const = 0;

    /// Samples into `out`, reusing its token buffer (no allocation once warmed up).
    virtual void sample_into(Sample& out, SampleMode mode = SampleMode::Stochastic) = 0;
    /// Scores a given architecture under teacher forcing: log π(tokens), its entropy term and
    /// skip penalty, as if the policy had sampled it. Throws ValueError on an invalid vector.
    virtual void score_into(std::span<const int> tokens, Sample& out) = 0;
    /// One REINFORCE step for `sample` with the task reward (e.g. validation accuracy): updates
    /// the baseline, accumulates the gradient, and every num_aggregate calls applies Adam.
    virtual UpdateResult update(const Sample& sample, double task_reward) = 0;

    /// The moving-average baseline b and the number of Adam steps taken.
    virtual double baseline() const = 0;
    virtual std::int64_t step() const = 0;

    /// Writes the whole state (weights, Adam moments, pending gradients, baseline, step, RNG) to
    /// `out` (state_io.hpp's layout); `load` restores it from `in`, naming `source` in messages.
    /// Throws IoError or FormatError; nothing changes unless the whole state is valid.
    virtual void save(std::ostream& out) const = 0;
    virtual void load(std::istream& in, const std::string& source) = 0;

    /// The same through a file: written to a temporary file renamed into place.
    void save(const std::string& path) const;
    void load(const std::string& path);

    Sample sample(SampleMode mode = SampleMode::Stochastic) {
        Sample s;
        sample_into(s, mode);
        return s;
    }
    Sample score(std::span<const int> tokens) {
        Sample s;
        score_into(tokens, s);
        return s;
    }
    /// log π(tokens) under teacher forcing.
    double log_prob(std::span<const int> tokens) { return score(tokens).log_prob; }
};

inline void ArchitecturePolicy::save(const std::string& path) const {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        check<IoError>(static_cast<bool>(out), "controller state: cannot open '", tmp, "' for writing");
        save(out);
        out.flush();
        check<IoError>(static_cast<bool>(out), "controller state: writing '", tmp, "' failed (disk full?)");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    check<IoError>(!ec, "controller state: cannot rename '", tmp, "' to '", path, "': ", ec.message());
}

inline void ArchitecturePolicy::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    check<IoError>(static_cast<bool>(in), "controller state: cannot open '", path, "' for reading");
    load(in, path);
}

}  // namespace enas::controller
