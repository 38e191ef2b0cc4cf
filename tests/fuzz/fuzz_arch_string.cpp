// Fuzz harness: the authors' flat architecture strings of every space. The first byte picks the
// space (macro, micro, rnn, rnn-original); the rest is the string. A parsed architecture must
// print back to a string that parses to the same architecture.
#include <cstddef>
#include <cstdint>

#include "enas/core/error.hpp"
#include "enas/search/space.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace enas::search;
    if (size == 0) return 0;
    const SearchSpace spaces[] = {SearchSpace::macro, SearchSpace::micro, SearchSpace::rnn, SearchSpace::rnn_original};
    const SearchSpace space = spaces[data[0] % 4];
    try {
        const AnyArch arch = parse_arch(space, enas::fuzz::as_text(data + 1, size - 1));
        const AnyArch again = parse_arch(space, to_string(arch));
        if (tokens_of(again) != tokens_of(arch)) __builtin_trap();  // the round trip must hold
    } catch (const enas::Error&) {}
    return 0;
}
