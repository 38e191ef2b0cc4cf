// MacroArch: token counts, the released 24-layer arc's decode (reference §3.5, §6.1), round
// trips on random architectures, hashing, and every kind of bad input.
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "enas/search/macro_arch.hpp"
#include "random_arch.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::search;
using Catch::Matchers::Contains;

TEST_CASE("macro token count is L(L+1)/2", "[search][macro]") {
    CHECK(MacroArch::token_count(1) == 1);
    CHECK(MacroArch::token_count(12) == 78);
    CHECK(MacroArch::token_count(24) == 300);
    std::mt19937 rng(11);
    for (int layers = 1; layers <= 30; ++layers) {
        const std::vector<int> tokens = fixtures::random_macro_tokens(rng, layers);
        REQUIRE(tokens.size() == MacroArch::token_count(layers));
        const MacroArch arch = MacroArch::from_tokens(tokens);
        CHECK(arch.num_layers() == layers);
        CHECK(arch.tokens().size() == tokens.size());
        CHECK(arch.possible_skips() == layers * (layers - 1) / 2);
    }
}

TEST_CASE("the released 24-layer macro arc decodes as the reference says", "[search][macro]") {
    const MacroArch arch = MacroArch::parse(fixtures::kReleasedMacro);
    REQUIRE(arch.num_layers() == 24);
    // Reference §3.5: conv3 x8, sep3 x2, conv5 x9, sep5 x5, no pools; 98 of 276 skips.
    const auto hist = arch.op_histogram();
    CHECK(hist[static_cast<int>(MacroOp::conv3)] == 8);
    CHECK(hist[static_cast<int>(MacroOp::sep3)] == 2);
    CHECK(hist[static_cast<int>(MacroOp::conv5)] == 9);
    CHECK(hist[static_cast<int>(MacroOp::sep5)] == 5);
    CHECK(hist[static_cast<int>(MacroOp::avgpool)] == 0);
    CHECK(hist[static_cast<int>(MacroOp::maxpool)] == 0);
    CHECK(arch.skip_count() == 98);
    CHECK(arch.possible_skips() == 276);
    CHECK(arch.skip_rate() == Approx(98.0 / 276.0));
    CHECK(arch.pool_layers() == std::vector<int>{7, 15});
    // Layer 1 is "3 0": sep5 with no skip from the stem; layer 3 is "2 0 0 1": conv5 with a skip
    // from entry 2, i.e. layer 1 (bit j = stem for j = 0, layer j-1 otherwise).
    CHECK(arch.layer(0).op == MacroOp::conv3);
    CHECK(arch.layer(0).skips.empty());
    CHECK(arch.layer(1).op == MacroOp::sep5);
    CHECK(arch.layer(1).skip_entries().empty());
    CHECK(arch.layer(3).op == MacroOp::conv5);
    CHECK(arch.layer(3).skip_entries() == std::vector<int>{2});
    CHECK(macro_entry_name(0) == "stem");
    CHECK(macro_entry_name(2) == "layer 1");
    CHECK(arch.to_string() == fixtures::kReleasedMacro);
}

TEST_CASE("macro pool layers follow L / 3", "[search][macro]") {
    std::mt19937 rng(3);
    CHECK(MacroArch::from_tokens(fixtures::random_macro_tokens(rng, 12)).pool_layers() == std::vector<int>{3, 7});
    CHECK(MacroArch::from_tokens(fixtures::random_macro_tokens(rng, 2)).pool_layers().empty());
    CHECK(MacroArch::from_tokens(fixtures::random_macro_tokens(rng, 3)).pool_layers() == std::vector<int>{0, 1});
}

TEST_CASE("macro string -> value -> string round trips on random architectures", "[search][macro]") {
    std::mt19937 rng(2024);
    for (int trial = 0; trial < 500; ++trial) {
        const std::vector<int> tokens = fixtures::random_macro_tokens(rng, fixtures::uniform_int(rng, 1, 25));
        const MacroArch arch = MacroArch::from_tokens(tokens);
        REQUIRE(arch.tokens() == tokens);
        const std::string text = arch.to_string();
        REQUIRE(text == join_tokens(tokens));
        const MacroArch again = MacroArch::parse(text);
        REQUIRE(again == arch);
        REQUIRE(std::hash<MacroArch>{}(again) == std::hash<MacroArch>{}(arch));
        REQUIRE(MacroArch(arch.layers()) == arch);  // construction from layers
    }
}

TEST_CASE("macro parsing accepts any whitespace and commas", "[search][macro]") {
    const MacroArch a = MacroArch::parse("0 3 0 0 1 0");
    CHECK(MacroArch::parse("  0\t3\n0 ,0, 1 0\r\n") == a);
    CHECK(MacroArch::parse("0,3,0,0,1,0") == a);
    CHECK(a.to_string() == "0 3 0 0 1 0");
}

TEST_CASE("macro architectures key hash maps", "[search][macro]") {
    std::mt19937 rng(5);
    std::unordered_map<MacroArch, int> counts;
    std::vector<MacroArch> archs;
    for (int i = 0; i < 200; ++i) archs.push_back(MacroArch::from_tokens(fixtures::random_macro_tokens(rng, 6)));
    for (const MacroArch& a : archs) ++counts[a];
    for (const MacroArch& a : archs) ++counts[MacroArch::parse(a.to_string())];
    int total = 0;
    for (const auto& [arch, n] : counts) {
        CHECK(n % 2 == 0);  // each parsed copy landed on its original's key
        total += n;
    }
    CHECK(total == 400);
    CHECK(counts.size() > 150);  // 6 layers: 6^6 * 2^15 architectures, collisions are rare
    CHECK_FALSE(MacroArch::parse("0 3 0") == MacroArch::parse("0 3 1"));
}

TEST_CASE("macro bad input: errors name the token, its position and the range", "[search][macro]") {
    ENAS_REQUIRE_THROWS(MacroArch::parse(""), FormatError,
                        Contains("macro architecture: the architecture string is empty"));
    ENAS_REQUIRE_THROWS(MacroArch::parse(" \n\t "), FormatError, Contains("empty"));
    ENAS_REQUIRE_THROWS(MacroArch::parse("0 3 0 1 x3 0"), FormatError,
                        Contains("token 'x3' at position 4 is not an integer"));
    ENAS_REQUIRE_THROWS(MacroArch::parse("0 3 0 1.5"), FormatError, Contains("token '1.5' at position 3"));
    ENAS_REQUIRE_THROWS(MacroArch::parse("0 99999999999"), FormatError, Contains("'99999999999'"));
    ENAS_REQUIRE_THROWS(MacroArch::parse("0 3 0 1"), FormatError,
                        Contains("4 tokens is not L(L+1)/2") && Contains("3 for L = 2 and 6 for L = 3"));
    ENAS_REQUIRE_THROWS(MacroArch::from_tokens(std::vector<int>(77, 0)), FormatError,
                        Contains("66 for L = 11 and 78 for L = 12"));
    ENAS_REQUIRE_THROWS(MacroArch::from_tokens({}), FormatError, Contains("no tokens"));
    ENAS_REQUIRE_THROWS(MacroArch::parse("6"), ValueError,
                        Contains("macro architecture: token 0 (layer 0, op) is 6, allowed range [0, 6)"));
    ENAS_REQUIRE_THROWS(MacroArch::parse("0 3 0 -1 1 0"), ValueError,
                        Contains("token 3 (layer 2, op) is -1, allowed range [0, 6)"));
    ENAS_REQUIRE_THROWS(MacroArch::parse("0 3 0 1 0 2"), ValueError,
                        Contains("token 5 (layer 2, skip bit 1 from layer 0) is 2, allowed range [0, 2)"));
    ENAS_REQUIRE_THROWS(MacroArch::parse("0 3 2 1 0 0"), ValueError,
                        Contains("token 2 (layer 1, skip bit 0 from stem) is 2"));
    // Construction from layers checks the structure too.
    ENAS_REQUIRE_THROWS(MacroArch(std::vector<MacroLayer>{}), FormatError, Contains("no layers"));
    ENAS_REQUIRE_THROWS(MacroArch({MacroLayer{MacroOp::conv3, {true}}}), FormatError,
                        Contains("layer 0 has 1 skip bits, expected 0"));
    ENAS_REQUIRE_THROWS(MacroArch({MacroLayer{static_cast<MacroOp>(9), {}}}), ValueError, Contains("is 9"));
    // Every error is an enas::Error.
    REQUIRE_THROWS_AS(MacroArch::parse("a"), Error);
    REQUIRE_THROWS_AS(MacroArch::parse("7"), Error);
}

TEST_CASE("macro op names", "[search][macro]") {
    for (int i = 0; i < kMacroOpCount; ++i) {
        const auto op = static_cast<MacroOp>(i);
        CHECK(macro_op_from_name(macro_op_name(op)) == op);
    }
    CHECK(macro_op_kernel_size(MacroOp::sep5) == 5);
    CHECK(macro_op_kernel_size(MacroOp::maxpool) == 3);
    ENAS_REQUIRE_THROWS(macro_op_from_name("conv7"), ValueError, Contains("unknown macro op 'conv7'"));
}
