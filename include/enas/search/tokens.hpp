// Flat integer token strings: the authors' architecture format (reference §6) is a list of
// integers separated by whitespace. This header splits and joins such strings and holds the
// error helpers shared by the architecture values.
//
// Error policy of enas::search (all architecture values follow it):
//   * FormatError: the text or token list does not have the form of an architecture at all:
//     an empty string, a token that is not an integer, a wrong number of tokens.
//   * ValueError: the form is right but a token is outside its allowed range (an op id of 7,
//     an input index that points forward, a skip bit of 2).
// Both derive from enas::Error, and every message names the space, the token position
// (0-based), what the token means, the value seen and what was allowed.
#pragma once
#include <charconv>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "enas/core/error.hpp"

namespace enas::search {

/// Splits `text` into integers. Separators are whitespace and commas, so both the authors'
/// "0 3 0 1" and "0, 3, 0, 1" are accepted. `what` prefixes error messages
/// (e.g. "macro architecture"). Throws FormatError for an empty string or a token that is not
/// a (32-bit, decimal, optionally negative) integer, naming the token and its position.
inline std::vector<int> parse_int_tokens(std::string_view text, std::string_view what) {
    std::vector<int> tokens;
    auto is_separator = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ',';
    };
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_separator(text[i])) ++i;
        if (i == text.size()) break;
        const std::size_t start = i;
        while (i < text.size() && !is_separator(text[i])) ++i;
        const std::string_view word = text.substr(start, i - start);
        int value = 0;
        const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
        if (error != std::errc() || end != word.data() + word.size()) {
            throw FormatError(
                enas::detail::concat(what, ": token '", word, "' at position ", tokens.size(), " is not an integer"));
        }
        tokens.push_back(value);
    }
    if (tokens.empty()) {
        throw FormatError(enas::detail::concat(what,
                                               ": the architecture string is empty (expected integers "
                                               "separated by spaces)"));
    }
    return tokens;
}

/// The authors' printed form: the tokens separated by single spaces.
inline std::string join_tokens(const std::vector<int>& tokens) {
    std::string out;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (i > 0) out += ' ';
        out += std::to_string(tokens[i]);
    }
    return out;
}

/// Throws ValueError unless lo <= value < hi. `meaning` says what the token is
/// (e.g. "layer 3, op"); the message reads
/// "<what>: token <position> (<meaning>) is <value>, allowed range [lo, hi)".
inline void check_token_range(std::string_view what, std::size_t position, std::string_view meaning, int value, int lo,
                              int hi) {
    if (value < lo || value >= hi) {
        throw ValueError(enas::detail::concat(what, ": token ", position, " (", meaning, ") is ", value,
                                              ", allowed range [", lo, ", ", hi, ")"));
    }
}

/// "1 token" or "<n> tokens", for length messages.
inline std::string tokens_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " token" : " tokens"); }

namespace detail {
/// Mixes `value` into `seed` (boost::hash_combine's recipe with the 64-bit golden ratio).
inline void hash_combine(std::size_t& seed, std::size_t value) {
    seed ^= value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
}

/// Hash of a token list, with a per-space salt so equal token lists of different spaces differ.
inline std::size_t hash_tokens(const std::vector<int>& tokens, std::size_t salt) {
    std::size_t seed = salt;
    for (int t : tokens) hash_combine(seed, std::hash<int>{}(t));
    return seed;
}
}  // namespace detail

}  // namespace enas::search
