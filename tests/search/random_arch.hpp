// Uniformly random valid architectures for round-trip tests (seeded std::mt19937), and the
// reference's released strings (enas-reference.md §3.5, §5.3, §6).
#pragma once
#include <random>
#include <string>
#include <vector>

#include "enas/search/released.hpp"
#include "enas/search/space.hpp"

namespace enas::search::fixtures {

using search::kReleasedMacro;
using search::kReleasedMicro;
using search::kReleasedMicroNormal;
using search::kReleasedMicroReduction;
using search::kReleasedRnnLm;
using search::kSeedRnnOriginal;

/// DARTS's recurrent genotype in the LM format (LM README).
inline const std::string kDartsRnnLm = "0 2 1 1 1 1 1 3 2 0 5 2 3 0 5 1";

inline int uniform_int(std::mt19937& rng, int lo, int hi_exclusive) {
    return std::uniform_int_distribution<int>(lo, hi_exclusive - 1)(rng);
}

/// Random macro tokens for `num_layers` layers: op in [0, 6), bits in {0, 1}.
inline std::vector<int> random_macro_tokens(std::mt19937& rng, int num_layers) {
    std::vector<int> tokens;
    for (int l = 0; l < num_layers; ++l) {
        tokens.push_back(uniform_int(rng, 0, 6));
        for (int j = 0; j < l; ++j) tokens.push_back(uniform_int(rng, 0, 2));
    }
    return tokens;
}

/// Random micro tokens, B nodes per cell: node i's indices in [0, i), ops in [0, 5).
inline std::vector<int> random_micro_tokens(std::mt19937& rng, int num_nodes) {
    std::vector<int> tokens;
    for (int cell = 0; cell < 2; ++cell)
        for (int id = 2; id < num_nodes + 2; ++id)
            for (int slot = 0; slot < 2; ++slot) {
                tokens.push_back(uniform_int(rng, 0, id));
                tokens.push_back(uniform_int(rng, 0, 5));
            }
    return tokens;
}

/// Random recurrent tokens in `format` for the format's N.
inline std::vector<int> random_rnn_tokens(std::mt19937& rng, RnnFormat format, int format_nodes) {
    std::vector<int> tokens;
    if (format == RnnFormat::original) {
        tokens.push_back(uniform_int(rng, 0, 4));
        for (int i = 1; i < format_nodes; ++i) {
            tokens.push_back(uniform_int(rng, 0, i));
            tokens.push_back(uniform_int(rng, 0, 4));
        }
    } else {
        for (int i = 1; i <= format_nodes; ++i) {
            tokens.push_back(uniform_int(rng, 0, i));
            tokens.push_back(uniform_int(rng, 0, 4));
        }
    }
    return tokens;
}

/// A random architecture of any space (sizes: macro L in [1, 24], micro B in [1, 7],
/// rnn N in [1, 12]).
inline AnyArch random_arch(std::mt19937& rng, SearchSpace space) {
    switch (space) {
        case SearchSpace::macro: return MacroArch::from_tokens(random_macro_tokens(rng, uniform_int(rng, 1, 25)));
        case SearchSpace::micro: {
            const int b = uniform_int(rng, 1, 8);
            return MicroArch::from_tokens(random_micro_tokens(rng, b), b);
        }
        case SearchSpace::rnn:
            return RnnArch::from_tokens(random_rnn_tokens(rng, RnnFormat::lm, uniform_int(rng, 1, 13)), RnnFormat::lm);
        case SearchSpace::rnn_original:
            return RnnArch::from_tokens(random_rnn_tokens(rng, RnnFormat::original, uniform_int(rng, 1, 13)),
                                        RnnFormat::original);
    }
    return MacroArch::from_tokens({0});
}

inline const std::vector<SearchSpace> kAllSpaces = {SearchSpace::macro, SearchSpace::micro, SearchSpace::rnn,
                                                    SearchSpace::rnn_original};

}  // namespace enas::search::fixtures
