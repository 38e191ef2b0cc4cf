// MicroArch and Cell: token counts, the released cells' decode and loose ends (reference §6.2),
// round trips on random architectures, hashing, and every kind of bad input.
#include <random>
#include <unordered_set>

#include "enas/search/micro_arch.hpp"
#include "random_arch.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::search;
using Catch::Matchers::Contains;

TEST_CASE("micro token count is 8B, 40 for B = 5", "[search][micro]") {
    CHECK(MicroArch::token_count(5) == 40);
    CHECK(MicroArch::token_count(MicroArch::kDefaultNodes) == 40);
    std::mt19937 rng(1);
    for (int b = 1; b <= 8; ++b) {
        const std::vector<int> tokens = fixtures::random_micro_tokens(rng, b);
        REQUIRE(tokens.size() == MicroArch::token_count(b));
        const MicroArch arch = MicroArch::from_tokens(tokens, b);
        CHECK(arch.num_nodes() == b);
        CHECK(arch.normal().tokens().size() == 4u * static_cast<std::size_t>(b));
    }
}

TEST_CASE("the released micro cells decode as the reference says", "[search][micro]") {
    const MicroArch arch = MicroArch::parse(fixtures::kReleasedMicro);
    REQUIRE(arch.num_nodes() == 5);
    const Cell& normal = arch.normal();
    // n2 = avg(0) + sep3(0), n3 = id(0) + sep5(0), n4 = id(0) + sep5(1), n5 = sep3(1) + sep5(0),
    // n6 = avg(0) + sep5(1).
    CHECK(normal.node(2) == MicroNode{0, MicroOp::avg3, 0, MicroOp::sep3});
    CHECK(normal.node(3) == MicroNode{0, MicroOp::identity, 0, MicroOp::sep5});
    CHECK(normal.node(4) == MicroNode{0, MicroOp::identity, 1, MicroOp::sep5});
    CHECK(normal.node(5) == MicroNode{1, MicroOp::sep3, 0, MicroOp::sep5});
    CHECK(normal.node(6) == MicroNode{0, MicroOp::avg3, 1, MicroOp::sep5});
    CHECK(normal.loose_ends() == std::vector<int>{2, 3, 4, 5, 6});
    // n2 = sep3(1) + sep3(1), n3 = max(0) + avg(0), n4 = sep5(1) + sep5(3), n5 = sep3(1) + id(0),
    // n6 = max(0) + sep5(1).
    const Cell& reduction = arch.reduction();
    CHECK(reduction.node(2) == MicroNode{1, MicroOp::sep3, 1, MicroOp::sep3});
    CHECK(reduction.node(3) == MicroNode{0, MicroOp::max3, 0, MicroOp::avg3});
    CHECK(reduction.node(4) == MicroNode{1, MicroOp::sep5, 3, MicroOp::sep5});
    CHECK(reduction.node(5) == MicroNode{1, MicroOp::sep3, 0, MicroOp::identity});
    CHECK(reduction.node(6) == MicroNode{0, MicroOp::max3, 1, MicroOp::sep5});
    CHECK(reduction.loose_ends() == std::vector<int>{2, 4, 5, 6});
    CHECK(reduction.use_counts() == std::vector<int>{4, 5, 0, 1, 0, 0, 0});
    // Histograms: 2B slots per cell.
    const auto hist = normal.op_histogram();
    CHECK(hist == std::array<int, kMicroOpCount>{2, 4, 2, 0, 2});
    CHECK(arch.op_histogram() == std::array<int, kMicroOpCount>{5, 7, 3, 2, 3});
    CHECK(arch.cell(CellKind::reduction) == reduction);
    CHECK(arch.to_string() == fixtures::kReleasedMicro);
    CHECK(Cell::from_tokens(parse_int_tokens(fixtures::kReleasedMicroNormal, "cell")) == normal);
}

TEST_CASE("micro loose ends include unused inputs 0 and 1", "[search][micro]") {
    // Every node reads node 2 or the previous node; inputs 0/1 are read only by node 2.
    const Cell chain = Cell::from_tokens({0, 0, 0, 0, 2, 1, 2, 1, 3, 2, 3, 2});
    CHECK(chain.loose_ends() == std::vector<int>{1, 4});
    const Cell unused_prev_prev = Cell::from_tokens({1, 4, 1, 4});
    CHECK(unused_prev_prev.loose_ends() == std::vector<int>{0, 2});
}

TEST_CASE("micro string -> value -> string round trips on random architectures", "[search][micro]") {
    std::mt19937 rng(77);
    for (int trial = 0; trial < 500; ++trial) {
        const int b = trial % 3 == 0 ? fixtures::uniform_int(rng, 1, 9) : 5;
        const std::vector<int> tokens = fixtures::random_micro_tokens(rng, b);
        const MicroArch arch = MicroArch::from_tokens(tokens, b);
        REQUIRE(arch.tokens() == tokens);
        const MicroArch again = MicroArch::parse(arch.to_string(), b);
        REQUIRE(again == arch);
        REQUIRE(std::hash<MicroArch>{}(again) == std::hash<MicroArch>{}(arch));
        REQUIRE(MicroArch(Cell(arch.normal().nodes()), Cell(arch.reduction().nodes())) == arch);
        // Every cell has at least one loose end: the last node is never read.
        REQUIRE_FALSE(arch.normal().loose_ends().empty());
        REQUIRE(arch.normal().loose_ends().back() == b + 1);
    }
}

TEST_CASE("micro architectures hash and compare by value", "[search][micro]") {
    std::mt19937 rng(8);
    std::unordered_set<MicroArch> set;
    for (int i = 0; i < 300; ++i) set.insert(MicroArch::from_tokens(fixtures::random_micro_tokens(rng, 5)));
    CHECK(set.size() == 300);  // 5.1e12 architectures per cell: no repeats expected
    for (const MicroArch& a : set) CHECK(set.count(MicroArch::parse(a.to_string())) == 1);
    // Swapping the two cells changes the architecture.
    const MicroArch arch = MicroArch::parse(fixtures::kReleasedMicro);
    const MicroArch swapped(arch.reduction(), arch.normal());
    CHECK_FALSE(swapped == arch);
}

TEST_CASE("micro bad input: errors name the token, its position and the range", "[search][micro]") {
    ENAS_REQUIRE_THROWS(MicroArch::parse(""), FormatError,
                        Contains("micro architecture: the architecture string is empty"));
    ENAS_REQUIRE_THROWS(MicroArch::parse("0 2 0 x 0"), FormatError,
                        Contains("token 'x' at position 3 is not an integer"));
    ENAS_REQUIRE_THROWS(MicroArch::parse("0 2 0 0"), FormatError, Contains("4 tokens, expected 40"));
    std::vector<int> tokens = parse_int_tokens(fixtures::kReleasedMicro, "test");
    tokens.pop_back();
    ENAS_REQUIRE_THROWS(MicroArch::from_tokens(tokens), FormatError,
                        Contains("39 tokens, expected 40 (two cells of 5 nodes x 4 tokens)"));
    ENAS_REQUIRE_THROWS(MicroArch::parse(fixtures::kReleasedMicro, 6), FormatError, Contains("40 tokens, expected 48"));
    ENAS_REQUIRE_THROWS(MicroArch::parse(fixtures::kReleasedMicro, 0), ValueError, Contains("num_nodes is 0"));

    auto with = [&](std::size_t position, int value) {
        std::vector<int> t = parse_int_tokens(fixtures::kReleasedMicro, "test");
        t[position] = value;
        return join_tokens(t);
    };
    // Node 4 (tokens 8..11) reads indices [0, 4).
    ENAS_REQUIRE_THROWS(
        MicroArch::parse(with(10, 5)), ValueError,
        Contains("micro architecture: token 10 (normal cell, node 4, idx2) is 5, allowed range [0, 4)"));
    ENAS_REQUIRE_THROWS(MicroArch::parse(with(0, 2)), ValueError,
                        Contains("token 0 (normal cell, node 2, idx1) is 2, allowed range [0, 2)"));
    ENAS_REQUIRE_THROWS(MicroArch::parse(with(13, 5)), ValueError,
                        Contains("token 13 (normal cell, node 5, op1) is 5, allowed range [0, 5)"));
    ENAS_REQUIRE_THROWS(MicroArch::parse(with(39, -1)), ValueError,
                        Contains("token 39 (reduction cell, node 6, op2) is -1, allowed range [0, 5)"));
    ENAS_REQUIRE_THROWS(MicroArch::parse(with(36, 6)), ValueError,
                        Contains("token 36 (reduction cell, node 6, idx1) is 6, allowed range [0, 6)"));
    // Cells on their own.
    ENAS_REQUIRE_THROWS(Cell::from_tokens({0, 0, 0}), FormatError, Contains("3 tokens is not 4B"));
    ENAS_REQUIRE_THROWS(Cell(std::vector<MicroNode>{}), FormatError, Contains("at least one node"));
    ENAS_REQUIRE_THROWS(Cell({MicroNode{0, MicroOp::sep3, 3, MicroOp::sep3}}), ValueError,
                        Contains("micro cell: token 2 (node 2, idx2) is 3, allowed range [0, 2)"));
    const Cell one({MicroNode{}});
    const Cell two({MicroNode{}, MicroNode{}});
    ENAS_REQUIRE_THROWS(MicroArch(one, two), FormatError,
                        Contains("the normal cell has 1 nodes but the reduction cell has 2"));
}

TEST_CASE("micro op names", "[search][micro]") {
    for (int i = 0; i < kMicroOpCount; ++i) {
        const auto op = static_cast<MicroOp>(i);
        CHECK(micro_op_from_name(micro_op_name(op)) == op);
    }
    CHECK(micro_op_name(MicroOp::identity) == "identity");
    ENAS_REQUIRE_THROWS(micro_op_from_name("sep7"), ValueError, Contains("unknown micro op 'sep7'"));
}
