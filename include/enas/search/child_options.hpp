// The two choices a child network's configuration shares with the parameter arithmetic of
// search/param_count.hpp: which child (the search supernet or the fixed-arc final model), and how
// the macro final mode builds its separable ops. Plain enums, so child/ includes only these.
#pragma once
#include <string>

#include "enas/core/error.hpp"

namespace enas::search {

/// Which child network: the shared-weight child of the search, or the fixed-arc final model.
enum class ChildMode { search, final };

/// How the macro final mode builds sep3/sep5: as the TF code does (full k x k convs) or as true
/// separable convs.
enum class SeparableConvs { full, separable };

inline const char* child_mode_name(ChildMode m) { return m == ChildMode::final ? "final" : "search"; }
inline ChildMode parse_child_mode(const std::string& s) {
    if (s == "search") return ChildMode::search;
    if (s == "final") return ChildMode::final;
    throw ValueError("unknown child mode '" + s + "' (expected search or final)");
}

/// JSON form (nlohmann's ADL hooks, templated so this header needs no JSON include): the name.
template <class Json>
void to_json(Json& j, ChildMode m) {
    j = child_mode_name(m);
}
template <class Json>
void from_json(const Json& j, ChildMode& m) {
    m = parse_child_mode(j.template get<std::string>());
}

}  // namespace enas::search
