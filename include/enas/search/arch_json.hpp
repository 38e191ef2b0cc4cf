// JSON form of the architecture values (ArchJson): a readable structure with a "space"
// field, for run folders and the enas_arch tool. Round trip: arch_from_json(arch_to_json(a)) == a.
//
//   macro:  {"space": "macro", "num_layers": L,
//            "layers": [{"layer": 0, "op": "conv3", "skips": []},
//                       {"layer": 1, "op": "sep5", "skips": ["stem"]},
//                       {"layer": 2, "op": "conv5", "skips": ["stem", "layer 0"]}, ...]}
//           "skips" lists the skip sources by name: "stem" or "layer j".
//   micro:  {"space": "micro", "num_nodes": B,
//            "nodes": {"normal":    [{"node": 2, "input1": 0, "op1": "avg3", "input2": 0, "op2": "sep3"}, ...],
//                      "reduction": [...]}}
//   rnn / rnn-original:
//           {"space": "rnn", "nodes": [{"node": 0, "input": "x_t, s_{t-1}", "activation": "tanh"},
//                                      {"node": 1, "input": 0, "activation": "sigmoid"}, ...]}
//           Node 0 is listed in both formats (in "rnn" it is the implicit tanh node).
//
// Ops and activations are written by name (never by code, since the RNN formats' codes differ).
// Reading ignores unknown fields, so `describe` output (search/arch_describe.hpp) reads back too;
// the optional "layer", "num_layers" and "num_nodes" fields are checked against the lists.
// Errors: FormatError for a malformed document (missing field, wrong type, unknown name, bad
// "node" numbering), naming the JSON path; ValueError (from the value types) for an index out of
// range.
#pragma once
#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "enas/core/error.hpp"
#include "enas/search/space.hpp"

namespace enas::search {

/// The JSON type of this header: nlohmann's insertion-ordered JSON, so documents print in the
/// order written ("space" first). It converts implicitly to and from nlohmann::json.
using ArchJson = nlohmann::ordered_json;

inline ArchJson arch_to_json(const MacroArch& arch) {
    ArchJson layers = ArchJson::array();
    for (int l = 0; l < arch.num_layers(); ++l) {
        ArchJson skips = ArchJson::array();
        for (int entry : arch.layer(l).skip_entries()) skips.push_back(macro_entry_name(entry));
        layers.push_back({{"layer", l}, {"op", macro_op_name(arch.layer(l).op)}, {"skips", std::move(skips)}});
    }
    return {{"space", "macro"}, {"num_layers", arch.num_layers()}, {"layers", std::move(layers)}};
}

/// A cell's "nodes" array.
inline ArchJson cell_to_json(const Cell& cell) {
    ArchJson nodes = ArchJson::array();
    for (int id = 2; id < cell.num_nodes() + 2; ++id) {
        const MicroNode& n = cell.node(id);
        nodes.push_back({{"node", id},
                         {"input1", n.input1},
                         {"op1", micro_op_name(n.op1)},
                         {"input2", n.input2},
                         {"op2", micro_op_name(n.op2)}});
    }
    return nodes;
}

inline ArchJson arch_to_json(const MicroArch& arch) {
    return {{"space", "micro"},
            {"num_nodes", arch.num_nodes()},
            {"nodes", {{"normal", cell_to_json(arch.normal())}, {"reduction", cell_to_json(arch.reduction())}}}};
}

inline ArchJson arch_to_json(const RnnArch& arch) {
    ArchJson nodes = ArchJson::array();
    for (int i = 0; i < arch.num_nodes(); ++i) {
        const RnnNode& n = arch.node(i);
        ArchJson input = i == 0 ? ArchJson("x_t, s_{t-1}") : ArchJson(n.input);
        nodes.push_back({{"node", i}, {"input", std::move(input)}, {"activation", activation_name(n.activation)}});
    }
    return {{"space", rnn_format_name(arch.format())}, {"nodes", std::move(nodes)}};
}

inline ArchJson arch_to_json(const AnyArch& arch) {
    return std::visit([](const auto& a) { return arch_to_json(a); }, arch);
}

namespace detail {
/// Field `key` of object `j`, or FormatError naming `path`.key.
inline const ArchJson& json_field(const ArchJson& j, const std::string& path, const char* key) {
    if (!j.is_object()) throw FormatError(enas::detail::concat(path, ": expected a JSON object, got ", j.dump()));
    const auto it = j.find(key);
    if (it == j.end()) throw FormatError(enas::detail::concat(path, ": missing field \"", key, "\""));
    return *it;
}
inline int json_int(const ArchJson& j, const std::string& path) {
    if (!j.is_number_integer()) throw FormatError(enas::detail::concat(path, ": expected an integer, got ", j.dump()));
    const auto v = j.get<std::int64_t>();
    if (v < INT32_MIN || v > INT32_MAX) throw FormatError(enas::detail::concat(path, ": integer ", v, " out of range"));
    return static_cast<int>(v);
}
inline std::string json_string(const ArchJson& j, const std::string& path) {
    if (!j.is_string()) throw FormatError(enas::detail::concat(path, ": expected a string, got ", j.dump()));
    return j.get<std::string>();
}
inline const ArchJson& json_array(const ArchJson& j, const std::string& path) {
    if (!j.is_array()) throw FormatError(enas::detail::concat(path, ": expected an array, got ", j.dump()));
    return j;
}
/// Runs `parse_name` (which throws ValueError for an unknown name) and reports it as a
/// FormatError at `path`.
template <class F>
auto json_named(const ArchJson& j, const std::string& path, F&& parse_name) {
    const std::string name = json_string(j, path);
    try {
        return parse_name(name);
    } catch (const ValueError& e) { throw FormatError(path + ": " + e.what()); }
}
/// FormatError unless `j` has "space": `expected`.
inline void json_expect_space(const ArchJson& j, std::string_view expected) {
    const std::string space = json_string(json_field(j, "architecture JSON", "space"), "architecture JSON.space");
    if (space != expected)
        throw FormatError(
            enas::detail::concat("architecture JSON: \"space\" is \"", space, "\", expected \"", expected, "\""));
}
/// If the optional count field `key` is present it must equal `actual` (FormatError otherwise).
inline void json_check_count(const ArchJson& j, const char* key, int actual, const std::string& path) {
    if (!j.contains(key)) return;
    const int stated = json_int(j[key], path + "." + key);
    if (stated != actual)
        throw FormatError(enas::detail::concat(path, ".", key, ": is ", stated, " but the document lists ", actual));
}
/// The skip source name "stem" or "layer j" as a list entry (0 or j + 1).
inline int macro_entry_from_name(const std::string& name, const std::string& path) {
    if (name == "stem") return 0;
    const std::string prefix = "layer ";
    if (name.rfind(prefix, 0) == 0) {
        const std::string digits = name.substr(prefix.size());
        int layer = -1;
        const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), layer);
        if (error == std::errc() && end == digits.data() + digits.size() && layer >= 0) return layer + 1;
    }
    throw FormatError(enas::detail::concat(path, ": skip source '", name, "' is not \"stem\" or \"layer <j>\""));
}
}  // namespace detail

inline MacroArch macro_arch_from_json(const ArchJson& j) {
    detail::json_expect_space(j, "macro");
    const ArchJson& layers = detail::json_array(detail::json_field(j, "macro JSON", "layers"), "macro JSON.layers");
    std::vector<MacroLayer> out;
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const std::string path = "macro JSON.layers[" + std::to_string(l) + "]";
        if (layers[l].is_object() && layers[l].contains("layer")) {
            const int index = detail::json_int(layers[l]["layer"], path + ".layer");
            if (index != static_cast<int>(l))
                throw FormatError(enas::detail::concat(path, ".layer: is ", index, ", expected ", l,
                                                       " (layers are listed in order from 0)"));
        }
        MacroLayer layer;
        layer.op = detail::json_named(detail::json_field(layers[l], path, "op"), path + ".op",
                                      [](const std::string& s) { return macro_op_from_name(s); });
        layer.skips.assign(l, false);
        const ArchJson& skips = detail::json_array(detail::json_field(layers[l], path, "skips"), path + ".skips");
        for (std::size_t s = 0; s < skips.size(); ++s) {
            const std::string spath = path + ".skips[" + std::to_string(s) + "]";
            const int entry = detail::macro_entry_from_name(detail::json_string(skips[s], spath), spath);
            if (entry >= static_cast<int>(l)) {
                const std::string allowed =
                    l == 0   ? "layer 0 has no skips"
                    : l == 1 ? "layer 1 can skip from the stem only"
                             : enas::detail::concat("layer ", l, " can skip from the stem and layers 0 to ", l - 2);
                throw ValueError(enas::detail::concat(spath, ": skip source '", macro_entry_name(entry),
                                                      "' is not allowed (", allowed,
                                                      "; the previous layer is the main input)"));
            }
            layer.skips[static_cast<std::size_t>(entry)] = true;
        }
        out.push_back(std::move(layer));
    }
    MacroArch arch(std::move(out));
    detail::json_check_count(j, "num_layers", arch.num_layers(), "macro JSON");
    return arch;
}

inline MicroArch micro_arch_from_json(const ArchJson& j) {
    detail::json_expect_space(j, "micro");
    const ArchJson& nodes = detail::json_field(j, "micro JSON", "nodes");
    auto read_cell = [&](const char* kind) {
        const std::string path = std::string("micro JSON.nodes.") + kind;
        const ArchJson& list = detail::json_array(detail::json_field(nodes, "micro JSON.nodes", kind), path);
        std::vector<int> tokens;
        for (std::size_t k = 0; k < list.size(); ++k) {
            const std::string npath = path + "[" + std::to_string(k) + "]";
            const int id = detail::json_int(detail::json_field(list[k], npath, "node"), npath + ".node");
            if (id != static_cast<int>(k) + 2)
                throw FormatError(enas::detail::concat(npath, ".node: is ", id, ", expected ", k + 2,
                                                       " (nodes are listed in order from 2)"));
            auto op = [&](const char* key) {
                return static_cast<int>(detail::json_named(detail::json_field(list[k], npath, key), npath + "." + key,
                                                           [](const std::string& s) { return micro_op_from_name(s); }));
            };
            tokens.push_back(detail::json_int(detail::json_field(list[k], npath, "input1"), npath + ".input1"));
            tokens.push_back(op("op1"));
            tokens.push_back(detail::json_int(detail::json_field(list[k], npath, "input2"), npath + ".input2"));
            tokens.push_back(op("op2"));
        }
        return tokens;
    };
    std::vector<int> tokens = read_cell("normal");
    const std::vector<int> reduction = read_cell("reduction");
    if (tokens.size() != reduction.size())
        throw FormatError(enas::detail::concat("micro JSON: the normal cell has ", tokens.size() / 4,
                                               " nodes but the reduction cell has ", reduction.size() / 4));
    if (tokens.empty()) throw FormatError("micro JSON: the cells have no nodes");
    tokens.insert(tokens.end(), reduction.begin(), reduction.end());
    MicroArch arch = MicroArch::from_tokens(tokens, static_cast<int>(tokens.size() / 8));
    detail::json_check_count(j, "num_nodes", arch.num_nodes(), "micro JSON");
    return arch;
}

inline RnnArch rnn_arch_from_json(const ArchJson& j) {
    const std::string space =
        detail::json_string(detail::json_field(j, "architecture JSON", "space"), "architecture JSON.space");
    if (space != "rnn" && space != "rnn-original")
        throw FormatError("architecture JSON: \"space\" is \"" + space + "\", expected \"rnn\" or \"rnn-original\"");
    const RnnFormat format = space == "rnn" ? RnnFormat::lm : RnnFormat::original;
    const std::string path = space + " JSON.nodes";
    const ArchJson& list = detail::json_array(detail::json_field(j, space + " JSON", "nodes"), path);
    std::vector<RnnNode> nodes;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string npath = path + "[" + std::to_string(i) + "]";
        const int id = detail::json_int(detail::json_field(list[i], npath, "node"), npath + ".node");
        if (id != static_cast<int>(i))
            throw FormatError(
                enas::detail::concat(npath, ".node: is ", id, ", expected ", i, " (nodes are listed in order from 0)"));
        RnnNode node;
        node.activation = detail::json_named(detail::json_field(list[i], npath, "activation"), npath + ".activation",
                                             [](const std::string& s) { return activation_from_name(s); });
        // Node 0's "input" is descriptive text; later nodes name the node they read.
        if (i > 0) node.input = detail::json_int(detail::json_field(list[i], npath, "input"), npath + ".input");
        nodes.push_back(node);
    }
    return RnnArch(format, std::move(nodes));
}

/// Reads any space, dispatching on the "space" field.
inline AnyArch arch_from_json(const ArchJson& j) {
    const std::string space =
        detail::json_string(detail::json_field(j, "architecture JSON", "space"), "architecture JSON.space");
    SearchSpace s;
    try {
        s = space_from_name(space);
    } catch (const ValueError& e) { throw FormatError(std::string("architecture JSON.space: ") + e.what()); }
    switch (s) {
        case SearchSpace::macro: return macro_arch_from_json(j);
        case SearchSpace::micro: return micro_arch_from_json(j);
        default: return rnn_arch_from_json(j);
    }
}

namespace detail {
/// `j` on one line with ", " and ": " separators.
inline std::string json_one_line(const ArchJson& j) {
    if (!j.is_structured() || j.empty()) return j.dump();
    std::string out(1, j.is_object() ? '{' : '[');
    bool first = true;
    for (const auto& [key, value] : j.items()) {
        if (!first) out += ", ";
        if (j.is_object()) out += ArchJson(key).dump() + ": ";
        out += json_one_line(value);
        first = false;
    }
    return out + (j.is_object() ? '}' : ']');
}
inline void dump_readable_into(std::string& out, const ArchJson& j, std::size_t indent, std::size_t prefix) {
    constexpr std::size_t kWidth = 100;
    const std::string line = json_one_line(j);
    if (indent > 0 && indent + prefix + line.size() <= kWidth) {  // fits: keep it on one line
        out += line;
        return;
    }
    if (!j.is_structured() || j.empty()) {
        out += line;
        return;
    }
    const std::string pad(indent + 2, ' ');
    const bool object = j.is_object();
    out += object ? "{\n" : "[\n";
    std::size_t i = 0;
    for (const auto& [key, value] : j.items()) {
        out += pad;
        const std::string key_text = object ? ArchJson(key).dump() + ": " : std::string();
        out += key_text;
        dump_readable_into(out, value, indent + 2, key_text.size());
        out += ++i < j.size() ? ",\n" : "\n";
    }
    out += std::string(indent, ' ') + (object ? "}" : "]");
}
}  // namespace detail

/// Indented JSON that keeps any part fitting in 100 columns on one line (a node, a layer, a
/// histogram, a list of loose ends), for files and terminals; parses back to the same document.
inline std::string dump_readable(const ArchJson& j) {
    std::string out;
    detail::dump_readable_into(out, j, 0, 0);
    return out;
}

/// Parses JSON text and reads the architecture; FormatError (with nlohmann's position) if the
/// text is not JSON.
inline AnyArch arch_from_json_text(std::string_view text) {
    ArchJson j;
    try {
        j = ArchJson::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        throw FormatError(std::string("architecture JSON: not valid JSON: ") + e.what());
    }
    return arch_from_json(j);
}

}  // namespace enas::search

/// `json j = arch;` and `j.get<MacroArch>()` (and the same for MicroArch, RnnArch), for both
/// nlohmann::json and nlohmann::ordered_json.
template <>
struct nlohmann::adl_serializer<enas::search::MacroArch> {
    template <class BasicJson>
    static enas::search::MacroArch from_json(const BasicJson& j) {
        return enas::search::macro_arch_from_json(enas::search::ArchJson(j));
    }
    template <class BasicJson>
    static void to_json(BasicJson& j, const enas::search::MacroArch& a) {
        j = BasicJson(enas::search::arch_to_json(a));
    }
};
template <>
struct nlohmann::adl_serializer<enas::search::MicroArch> {
    template <class BasicJson>
    static enas::search::MicroArch from_json(const BasicJson& j) {
        return enas::search::micro_arch_from_json(enas::search::ArchJson(j));
    }
    template <class BasicJson>
    static void to_json(BasicJson& j, const enas::search::MicroArch& a) {
        j = BasicJson(enas::search::arch_to_json(a));
    }
};
template <>
struct nlohmann::adl_serializer<enas::search::RnnArch> {
    template <class BasicJson>
    static enas::search::RnnArch from_json(const BasicJson& j) {
        return enas::search::rnn_arch_from_json(enas::search::ArchJson(j));
    }
    template <class BasicJson>
    static void to_json(BasicJson& j, const enas::search::RnnArch& a) {
        j = BasicJson(enas::search::arch_to_json(a));
    }
};
