// Typed views of a controller's samples: the token vectors of a Sample as the search layer's
// architecture values (MacroArch, MicroArch, RnnArch), and back. The controllers themselves only
// deal in token vectors in the authors' flat orders.
#pragma once
#include <span>
#include <vector>

#include "enas/controller/policy.hpp"
#include "enas/search/macro_arch.hpp"
#include "enas/search/micro_arch.hpp"
#include "enas/search/rnn_arch.hpp"

namespace enas::controller {

/// A macro-space sample as a MacroArch (L is inferred from the token count).
inline search::MacroArch to_macro_arch(const Sample& sample) { return search::MacroArch::from_tokens(sample.tokens); }

/// A micro-space sample as a MicroArch with B = num_nodes nodes per cell (the length is 8B).
inline search::MicroArch to_micro_arch(const Sample& sample) {
    return search::MicroArch::from_tokens(sample.tokens, static_cast<int>(sample.tokens.size() / 8));
}

/// A recurrent sample as an RnnArch: the LM format (2N tokens) for SpaceKind::RnnLanguageModel,
/// the original TF format (2N − 1 tokens, TF activation codes) for SpaceKind::RnnOriginal.
inline search::RnnArch to_rnn_arch(const Sample& sample, SpaceKind space) {
    check<ValueError>(space == SpaceKind::RnnLanguageModel || space == SpaceKind::RnnOriginal,
                      "to_rnn_arch: space '", space_name(space), "' is not a recurrent space");
    return search::RnnArch::from_tokens(sample.tokens, space == SpaceKind::RnnLanguageModel ? search::RnnFormat::lm
                                                                                          : search::RnnFormat::original);
}

}  // namespace enas::controller
