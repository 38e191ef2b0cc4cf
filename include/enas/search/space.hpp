// The one enum of search spaces (the controllers, the child models and the tools all use it), the
// one place where a policy's flat tokens become an architecture value (`arch_from_tokens<Arch>`,
// typed, for the search loop; `arch_from_tokens(space, ...)`, any space, for tools), and `AnyArch`,
// an architecture of any space, for code that picks the space at run time (enas_arch, run folders).
#pragma once
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "enas/core/error.hpp"
#include "enas/search/macro_arch.hpp"
#include "enas/search/micro_arch.hpp"
#include "enas/search/rnn_arch.hpp"

namespace enas::search {

/// `rnn` is the corrected language-model format (RnnFormat::lm), `rnn_original` the authors'
/// original TF format (RnnFormat::original).
enum class SearchSpace { macro, micro, rnn, rnn_original };

/// "macro", "micro", "rnn", "rnn-original": the names used by strings, JSON and command lines.
/// A string literal (so printf's %s and string concatenation take it as it is).
inline const char* space_name(SearchSpace space) {
    switch (space) {
        case SearchSpace::macro: return "macro";
        case SearchSpace::micro: return "micro";
        case SearchSpace::rnn: return "rnn";
        case SearchSpace::rnn_original: return "rnn-original";
    }
    return "unknown";
}

/// The space named `name`; ValueError listing the names otherwise.
inline SearchSpace space_from_name(std::string_view name) {
    for (SearchSpace s : {SearchSpace::macro, SearchSpace::micro, SearchSpace::rnn, SearchSpace::rnn_original})
        if (space_name(s) == name) return s;
    throw ValueError(
        enas::detail::concat("unknown search space '", name, "', expected one of macro, micro, rnn, rnn-original"));
}

inline SearchSpace space_of(RnnFormat format) {
    return format == RnnFormat::lm ? SearchSpace::rnn : SearchSpace::rnn_original;
}
/// The RNN format of an rnn space; ValueError for macro and micro.
inline RnnFormat rnn_format_of(SearchSpace space) {
    if (space == SearchSpace::rnn) return RnnFormat::lm;
    if (space == SearchSpace::rnn_original) return RnnFormat::original;
    throw ValueError(enas::detail::concat("search space '", space_name(space), "' is not a recurrent space"));
}

/// An architecture of any space.
using AnyArch = std::variant<MacroArch, MicroArch, RnnArch>;

inline SearchSpace space_of(const AnyArch& arch) {
    if (std::holds_alternative<MacroArch>(arch)) return SearchSpace::macro;
    if (std::holds_alternative<MicroArch>(arch)) return SearchSpace::micro;
    return space_of(std::get<RnnArch>(arch).format());
}

/// The architecture value of type `Arch` (MacroArch, MicroArch or RnnArch) that a policy's flat
/// `tokens` stand for in `space` (see each type's from_tokens; a micro sample has 8B tokens, B is
/// taken from its length). ValueError when `space` is not a space of `Arch`.
template <class Arch>
Arch arch_from_tokens(SearchSpace space, const std::vector<int>& tokens) {
    if constexpr (std::is_same_v<Arch, RnnArch>) {
        return RnnArch::from_tokens(tokens, rnn_format_of(space));
    } else {
        static_assert(std::is_same_v<Arch, MacroArch> || std::is_same_v<Arch, MicroArch>,
                      "arch_from_tokens: Arch must be MacroArch, MicroArch or RnnArch");
        constexpr SearchSpace own = std::is_same_v<Arch, MacroArch> ? SearchSpace::macro : SearchSpace::micro;
        check<ValueError>(space == own, "arch_from_tokens: search space '", space_name(space), "' is not the ",
                          space_name(own), " space");
        if constexpr (std::is_same_v<Arch, MacroArch>)
            return MacroArch::from_tokens(tokens);
        else
            return MicroArch::from_tokens(tokens, static_cast<int>(tokens.size() / 8));
    }
}

/// Builds an architecture of `space` from its flat token order (see each type's from_tokens).
/// `micro_nodes` is B for the micro space and ignored otherwise.
inline AnyArch arch_from_tokens(SearchSpace space, const std::vector<int>& tokens,
                                int micro_nodes = MicroArch::kDefaultNodes) {
    switch (space) {
        case SearchSpace::macro: return MacroArch::from_tokens(tokens);
        case SearchSpace::micro: return MicroArch::from_tokens(tokens, micro_nodes);
        case SearchSpace::rnn: return RnnArch::from_tokens(tokens, RnnFormat::lm);
        case SearchSpace::rnn_original: return RnnArch::from_tokens(tokens, RnnFormat::original);
    }
    throw ValueError("unknown search space");
}

/// Parses the authors' flat string of `space`.
inline AnyArch parse_arch(SearchSpace space, std::string_view text, int micro_nodes = MicroArch::kDefaultNodes) {
    switch (space) {
        case SearchSpace::macro: return MacroArch::parse(text);
        case SearchSpace::micro: return MicroArch::parse(text, micro_nodes);
        case SearchSpace::rnn: return RnnArch::parse(text, RnnFormat::lm);
        case SearchSpace::rnn_original: return RnnArch::parse(text, RnnFormat::original);
    }
    throw ValueError("unknown search space");
}

inline std::vector<int> tokens_of(const AnyArch& arch) {
    return std::visit([](const auto& a) { return a.tokens(); }, arch);
}
inline std::string to_string(const AnyArch& arch) {
    return std::visit([](const auto& a) { return a.to_string(); }, arch);
}

}  // namespace enas::search
