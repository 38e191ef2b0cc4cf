// One table per configuration struct: each setting is declared once, as a Field (its JSON key,
// its command-line flag, its help text and a pointer to the member, whose in-class initialiser is
// the default), and JSON output, JSON input and the command-line flags all iterate that table.
//
// A struct S opts in with a static `fields()` returning a std::tuple of fields:
//
//     struct MyConfig {
//         int batch = 64;
//         bool fast = false;
//         static constexpr auto fields() {
//             return std::tuple{
//                 enas::option("batch", &MyConfig::batch, "--batch", "batch size"),
//                 enas::switch_on("fast", &MyConfig::fast, "--fast", "go fast"),
//             };
//         }
//     };
//
// then `fields_to_json(cfg)`, `fields_from_json(json, cfg)` and `for_each_field<MyConfig>(f)` (the
// command line in examples/common/cnn_cli.hpp) see every field. Adding a setting is one row plus
// its use. The order of the rows is the order of the flags in --help; JSON objects are sorted by
// key, so it does not matter there.
#pragma once
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

namespace enas {

/// How a field appears on the command line.
enum class FlagKind {
    none,        ///< no flag (set by the program or derived from other settings)
    value,       ///< `--flag VALUE`: the value, when the flag is given, overrides the preset's
    switch_on,   ///< `--flag` (no value): sets the bool field to true when given
    switch_off,  ///< `--flag` (no value): sets the bool field to false when given (e.g. --no-aux)
};

/// One setting of the configuration struct S, of type T.
template <class S, class T>
struct Field {
    using Struct = S;
    using Type = T;
    const char* key;  ///< JSON key (config.json); nullptr: not part of the JSON form
    T S::*member;
    const char* flag;  ///< "--name"; nullptr when kind == none
    const char* help;  ///< --help text
    FlagKind kind = FlagKind::none;
    const char* choices = nullptr;  ///< "a|b|c": the only values the flag accepts (value flags only)

    bool has_json() const { return key != nullptr; }
    bool has_flag() const { return kind != FlagKind::none; }
};

/// A setting with a value flag (overrides the preset when given) and a JSON key.
template <class S, class T>
constexpr Field<S, T> option(const char* key, T S::*member, const char* flag, const char* help,
                             const char* choices = nullptr) {
    return {key, member, flag, help, FlagKind::value, choices};
}
/// A bool setting that a value-less flag turns on.
template <class S>
constexpr Field<S, bool> switch_on(const char* key, bool S::*member, const char* flag, const char* help) {
    return {key, member, flag, help, FlagKind::switch_on};
}
/// A bool setting that a value-less flag turns off.
template <class S>
constexpr Field<S, bool> switch_off(const char* key, bool S::*member, const char* flag, const char* help) {
    return {key, member, flag, help, FlagKind::switch_off};
}
/// A setting in the JSON form only (no flag).
template <class S, class T>
constexpr Field<S, T> json_only(const char* key, T S::*member) {
    return {key, member, nullptr, "", FlagKind::none};
}

/// Calls `f(field)` for each field of S, in table order.
template <class S, class F>
void for_each_field(F&& f) {
    std::apply([&](const auto&... field) { (f(field), ...); }, S::fields());
}

/// The JSON object of every field with a key (values through nlohmann's to_json of the type).
template <class S>
nlohmann::json fields_to_json(const S& s) {
    nlohmann::json j = nlohmann::json::object();
    for_each_field<S>([&](const auto& field) {
        if (field.has_json()) j[field.key] = s.*field.member;
    });
    return j;
}

/// Reads every field whose key `j` holds into `s`; the others keep their value (keys `j` holds
/// that are no field are ignored, e.g. a nested section). Throws nlohmann's type_error when a
/// value has the wrong type, enas::ValueError from an enum's parser.
template <class S>
void fields_from_json(const nlohmann::json& j, S& s) {
    for_each_field<S>([&](const auto& field) {
        using T = typename std::decay_t<decltype(field)>::Type;
        if (field.has_json() && j.contains(field.key)) s.*field.member = j.at(field.key).template get<T>();
    });
}

/// The field of S whose member is `member` applied to `f` (nothing when no field has it).
template <class S, class T, class F>
void with_field(T S::*member, F&& f) {
    for_each_field<S>([&](const auto& field) {
        if constexpr (std::is_same_v<typename std::decay_t<decltype(field)>::Type, T>)
            if (field.member == member) f(field);
    });
}

}  // namespace enas
