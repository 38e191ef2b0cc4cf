// FieldFlags: the command-line side of the config field tables
// (enas/core/config_fields.hpp), shared by the CNN binaries (cnn_cli.hpp) and
// the PTB binaries (ptb_cli.hpp).
#pragma once
#include <CLI/CLI.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "enas/core/config_fields.hpp"

namespace enas_cli {

/// Registers the flags of a field table (enas/core/config_fields.hpp) on a
/// CLI11 app and, after parsing, applies the ones given to a config: only a
/// flag given overrides the preset's value. Value flags of arithmetic type bind
/// to a member of a scratch config (so --help shows INT, UINT, FLOAT); text and
/// enum flags bind to a string converted through the type's JSON form; fields
/// with `choices` get CLI11's IsMember check and show their default.
template <class S>
class FieldFlags {
public:
    /// `defaults`: what the flags with choices show as their default.
    explicit FieldFlags(const S& defaults = S{}) : state_(std::make_shared<State>()) { state_->scratch = defaults; }

    template <class Fields>
    void add(CLI::App& app, const Fields& fields) {
        std::apply([&](const auto&... field) { (add_one(app, field), ...); }, fields);
    }

    /// Applies every flag given on the command line to `s`.
    void apply(S& s) const {
        for (const auto& entry : state_->entries)
            if (entry.option->count() > 0) entry.apply(s);
    }

    /// Whether the flag of `key`'s field was given.
    bool given(const std::string& key) const {
        for (const auto& entry : state_->entries)
            if (entry.key == key) return entry.option->count() > 0;
        return false;
    }

    /// The value the command line gave for `member`, if its flag was given.
    template <class T>
    std::optional<T> given(T S::*member) const {
        std::optional<T> out;
        enas::with_field<S>(member, [&](const auto& field) {
            if (field.key != nullptr && given(field.key)) {
                S s = state_->scratch;
                apply(s);
                out = s.*member;
            }
        });
        return out;
    }

private:
    struct Entry {
        std::string key;
        CLI::Option* option;
        std::function<void(S&)> apply;
    };
    struct State {
        S scratch;
        std::deque<std::string> texts;  // the text flags' values (stable addresses)
        std::vector<Entry> entries;
    };

    template <class T>
    void add_one(CLI::App& app, const enas::Field<S, T>& field) {
        using enas::FlagKind;
        if (field.kind == FlagKind::none) return;
        State* st = state_.get();  // the entries live in *st: no shared_ptr cycle
        T S::*member = field.member;
        const std::string key = field.key != nullptr ? field.key : field.flag;
        if (field.kind != FlagKind::value) {
            if constexpr (std::is_same_v<T, bool>) {
                const bool value = field.kind == FlagKind::switch_on;
                st->entries.push_back(
                    {key, app.add_flag(field.flag, field.help), [member, value](S& s) { s.*member = value; }});
            }
            return;
        }
        CLI::Option* option = nullptr;
        if constexpr (std::is_arithmetic_v<T>) {
            option = app.add_option(field.flag, st->scratch.*member, field.help);
            st->entries.push_back({key, option, [st, member](S& s) { s.*member = st->scratch.*member; }});
        } else {  // text: std::string or an enum with a JSON name
            std::string& text = st->texts.emplace_back(nlohmann::json(st->scratch.*member).template get<std::string>());
            option = app.add_option(field.flag, text, field.help);
            st->entries.push_back(
                {key, option, [&text, member](S& s) { s.*member = nlohmann::json(text).template get<T>(); }});
        }
        if (field.choices != nullptr) option->check(CLI::IsMember(split_choices(field.choices)))->capture_default_str();
    }

    static std::vector<std::string> split_choices(const std::string& choices) {
        std::vector<std::string> out;
        std::stringstream ss(choices);
        for (std::string item; std::getline(ss, item, '|');) out.push_back(item);
        return out;
    }

    std::shared_ptr<State> state_;
};

}  // namespace enas_cli
