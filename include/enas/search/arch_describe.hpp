// `describe`: the JSON form of an architecture (search/arch_json.hpp) plus derived facts, as
// printed by `enas_arch describe`. Added fields:
//   all spaces: "string" (the flat string), "ops" (histogram by name), "parameters"
//               (count_parameters for the authors' script sizes, search/param_count.hpp)
//   macro:      "skips" (bits set), "possible_skips" (L(L-1)/2), "skip_rate",
//               "pool_after_layers"
//   micro:      "ops" and "loose_ends" keyed by cell ("normal", "reduction")
//   rnn:        "num_nodes" (node 0 included), "loose_ends" (nodes never used as input),
//               "output_nodes" and "output" (what the cell averages: the loose ends in
//               rnn-original, all nodes 1..N in rnn)
// arch_from_json ignores the added fields, so a description reads back as the architecture.
#pragma once
#include <array>
#include <string_view>

#include "enas/search/arch_json.hpp"
#include "enas/search/param_count.hpp"
#include "enas/search/space.hpp"

namespace enas::search {

namespace detail {
template <std::size_t N>
ArchJson histogram_json(const std::array<int, N>& counts, const std::array<std::string_view, N>& names) {
    ArchJson out = ArchJson::object();
    for (std::size_t i = 0; i < N; ++i) out[std::string(names[i])] = counts[i];
    return out;
}
}  // namespace detail

inline ArchJson describe(const MacroArch& arch) {
    ArchJson j = arch_to_json(arch);
    j["string"] = arch.to_string();
    j["ops"] = detail::histogram_json(arch.op_histogram(), kMacroOpNames);
    j["skips"] = arch.skip_count();
    j["possible_skips"] = arch.possible_skips();
    j["skip_rate"] = arch.skip_rate();
    j["pool_after_layers"] = arch.pool_layers();
    MacroChildSizes true_separable = MacroChildSizes::final_script();
    true_separable.final_separable = SeparableConvs::separable;
    j["parameters"] = {{"search_script", count_parameters(arch, MacroChildSizes::search_script())},
                       {"final_script", count_parameters(arch, MacroChildSizes::final_script())},
                       {"final_script_true_separable", count_parameters(arch, true_separable)}};
    return j;
}

inline ArchJson describe(const MicroArch& arch) {
    ArchJson j = arch_to_json(arch);
    j["string"] = arch.to_string();
    j["ops"] = {{"normal", detail::histogram_json(arch.normal().op_histogram(), kMicroOpNames)},
                {"reduction", detail::histogram_json(arch.reduction().op_histogram(), kMicroOpNames)}};
    j["loose_ends"] = {{"normal", arch.normal().loose_ends()}, {"reduction", arch.reduction().loose_ends()}};
    MicroChildSizes with_aux = MicroChildSizes::final_script();
    with_aux.aux_head = true;
    j["parameters"] = {{"search_script", count_parameters(arch, MicroChildSizes::search_script())},
                       {"final_script", count_parameters(arch, MicroChildSizes::final_script())},
                       {"final_script_with_aux_head", count_parameters(arch, with_aux)}};
    return j;
}

inline ArchJson describe(const RnnArch& arch) {
    ArchJson j = arch_to_json(arch);
    const bool lm = arch.format() == RnnFormat::lm;
    j["string"] = arch.to_string();
    j["num_nodes"] = arch.num_nodes();
    j["ops"] = detail::histogram_json(arch.activation_histogram(), kActivationNames);
    j["loose_ends"] = arch.loose_ends();
    j["output_nodes"] = arch.output_nodes();
    j["output"] = lm ? "mean of all nodes 1..N" : "mean of the loose ends";
    if (lm)
        j["parameters"] = {{"search_script", count_parameters(arch, RnnChildSizes::lm_search_script())},
                           {"final_script", count_parameters(arch, RnnChildSizes::lm_final_script())}};
    else
        j["parameters"] = {{"final_script", count_parameters(arch, RnnChildSizes::original_final_script())}};
    return j;
}

inline ArchJson describe(const AnyArch& arch) {
    return std::visit([](const auto& a) { return describe(a); }, arch);
}

}  // namespace enas::search
