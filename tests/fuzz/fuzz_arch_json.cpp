// Fuzz harness: architecture JSON (best_arch.json, --arch FILE.json) of every space. A parsed
// architecture must write back to JSON that reads as the same architecture.
#include <cstddef>
#include <cstdint>

#include "enas/core/error.hpp"
#include "enas/search/arch_json.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace enas::search;
    const auto j = nlohmann::json::parse(enas::fuzz::as_text(data, size), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return 0;  // not JSON: the JSON library's own concern
    try {
        const AnyArch arch = arch_from_json(j);
        if (tokens_of(arch_from_json(arch_to_json(arch))) != tokens_of(arch)) __builtin_trap();
    } catch (const enas::Error&) {}
    return 0;
}
