// RnnArch in both formats: token counts (2N-1 and 2N), the seed string's, the LM release's and
// DARTS's decodes (reference §6.3), the activation code tables, round trips, and bad input.
#include <random>
#include <unordered_set>

#include "enas/search/rnn_arch.hpp"
#include "random_arch.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::search;
using Catch::Matchers::Contains;

namespace {
using A = Activation;

void check_nodes(const RnnArch& arch, const std::vector<std::pair<int, Activation>>& expected) {
    REQUIRE(arch.num_nodes() == static_cast<int>(expected.size()));
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("node " << i);
        CHECK(arch.node(static_cast<int>(i)).input == expected[i].first);
        CHECK(arch.node(static_cast<int>(i)).activation == expected[i].second);
    }
}
}  // namespace

TEST_CASE("rnn token counts: 2N-1 (original) and 2N (lm)", "[search][rnn]") {
    CHECK(RnnArch::token_count(RnnFormat::original, 12) == 23);
    CHECK(RnnArch::token_count(RnnFormat::lm, 8) == 16);
    std::mt19937 rng(4);
    for (int n = 1; n <= 14; ++n) {
        const auto original = fixtures::random_rnn_tokens(rng, RnnFormat::original, n);
        REQUIRE(original.size() == static_cast<std::size_t>(2 * n - 1));
        const RnnArch a = RnnArch::from_tokens(original, RnnFormat::original);
        CHECK(a.num_nodes() == n);
        CHECK(a.format_node_count() == n);
        const auto lm = fixtures::random_rnn_tokens(rng, RnnFormat::lm, n);
        REQUIRE(lm.size() == static_cast<std::size_t>(2 * n));
        const RnnArch b = RnnArch::from_tokens(lm, RnnFormat::lm);
        CHECK(b.num_nodes() == n + 1);  // node 0 is implicit in the lm format
        CHECK(b.format_node_count() == n);
    }
}

TEST_CASE("the seed string has 12 nodes and loose ends {3, 4, 7, 9, 10, 11}", "[search][rnn]") {
    const RnnArch arch = RnnArch::parse(fixtures::kSeedRnnOriginal, RnnFormat::original);
    check_nodes(arch, {{RnnNode::kCellInput, A::tanh},
                       {0, A::tanh},
                       {1, A::relu},
                       {2, A::relu},
                       {2, A::tanh},
                       {2, A::tanh},
                       {5, A::relu},
                       {1, A::tanh},
                       {6, A::relu},
                       {8, A::relu},
                       {8, A::relu},
                       {8, A::relu}});
    CHECK(arch.loose_ends() == std::vector<int>{3, 4, 7, 9, 10, 11});
    CHECK(arch.output_nodes() == arch.loose_ends());  // the original cell averages its loose ends
    // Only codes 0 and 1 appear (the controller's num_funcs = 2).
    CHECK(arch.activation_histogram() == std::array<int, kActivationCount>{5, 7, 0, 0});
    CHECK(arch.to_string() == fixtures::kSeedRnnOriginal);
}

TEST_CASE("the LM release decodes as the reference's table; output is the mean of nodes 1..8", "[search][rnn]") {
    const RnnArch arch = RnnArch::parse(fixtures::kReleasedRnnLm, RnnFormat::lm);
    check_nodes(arch, {{RnnNode::kCellInput, A::tanh},
                       {0, A::sigmoid},
                       {1, A::tanh},
                       {2, A::relu},
                       {2, A::sigmoid},
                       {4, A::tanh},
                       {5, A::tanh},
                       {3, A::sigmoid},
                       {6, A::sigmoid}});
    CHECK(arch.format_node_count() == 8);
    CHECK(arch.output_nodes() == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8});
    CHECK(arch.loose_ends() == std::vector<int>{7, 8});  // structural, not what the lm cell averages
    CHECK(arch.activation_histogram() == std::array<int, kActivationCount>{3, 1, 4, 0});
    CHECK(arch.to_string() == fixtures::kReleasedRnnLm);
}

TEST_CASE("the DARTS string decodes to DARTS's genotype", "[search][rnn]") {
    // sigmoid(0), relu(1), relu(1), identity(1), tanh(2), sigmoid(5), tanh(3), relu(5).
    const RnnArch arch = RnnArch::parse(fixtures::kDartsRnnLm, RnnFormat::lm);
    check_nodes(arch, {{RnnNode::kCellInput, A::tanh},
                       {0, A::sigmoid},
                       {1, A::relu},
                       {1, A::relu},
                       {1, A::identity},
                       {2, A::tanh},
                       {5, A::sigmoid},
                       {3, A::tanh},
                       {5, A::relu}});
}

TEST_CASE("activation code tables differ between the formats", "[search][rnn]") {
    // TF: 0 tanh, 1 ReLU, 2 identity, 3 sigmoid.  LM: 0 tanh, 1 ReLU, 2 sigmoid, 3 identity.
    CHECK(activation_from_code(RnnFormat::original, 2) == A::identity);
    CHECK(activation_from_code(RnnFormat::original, 3) == A::sigmoid);
    CHECK(activation_from_code(RnnFormat::lm, 2) == A::sigmoid);
    CHECK(activation_from_code(RnnFormat::lm, 3) == A::identity);
    for (RnnFormat f : {RnnFormat::lm, RnnFormat::original})
        for (int c = 0; c < kActivationCount; ++c) CHECK(activation_code(f, activation_from_code(f, c)) == c);
    for (int i = 0; i < kActivationCount; ++i)
        CHECK(activation_from_name(activation_name(static_cast<A>(i))) == static_cast<A>(i));
    // Code 2 in the original format prints as 2 again; the same cell in lm terms is code 3.
    const RnnArch original = RnnArch::parse("2 0 3", RnnFormat::original);
    CHECK(original.node(0).activation == A::identity);
    CHECK(original.node(1).activation == A::sigmoid);
    CHECK(original.to_string() == "2 0 3");
    ENAS_REQUIRE_THROWS(activation_from_name("gelu"), ValueError, Contains("unknown activation 'gelu'"));
    ENAS_REQUIRE_THROWS(activation_from_code(RnnFormat::lm, 4), ValueError, Contains("activation code 4"));
}

TEST_CASE("rnn string -> value -> string round trips on random architectures", "[search][rnn]") {
    std::mt19937 rng(99);
    for (RnnFormat format : {RnnFormat::lm, RnnFormat::original}) {
        std::unordered_set<RnnArch> seen;
        for (int trial = 0; trial < 400; ++trial) {
            const auto tokens = fixtures::random_rnn_tokens(rng, format, fixtures::uniform_int(rng, 1, 15));
            const RnnArch arch = RnnArch::from_tokens(tokens, format);
            REQUIRE(arch.tokens() == tokens);
            const RnnArch again = RnnArch::parse(arch.to_string(), format);
            REQUIRE(again == arch);
            REQUIRE(std::hash<RnnArch>{}(again) == std::hash<RnnArch>{}(arch));
            REQUIRE(RnnArch(format, arch.nodes()) == arch);
            seen.insert(arch);
            REQUIRE(seen.count(again) == 1);
        }
    }
    // The same tokens in the two formats are different architectures.
    const RnnArch lm = RnnArch::parse("0 1", RnnFormat::lm);
    const RnnArch original = RnnArch::parse("0 0 1", RnnFormat::original);
    CHECK_FALSE(lm == RnnArch::parse("0 2", RnnFormat::lm));
    CHECK(lm.nodes() == original.nodes());
    CHECK_FALSE(lm == original);  // same graph, different formats (and output rules)
}

TEST_CASE("rnn bad input: errors name the token, its position and the range", "[search][rnn]") {
    ENAS_REQUIRE_THROWS(RnnArch::parse("", RnnFormat::lm), FormatError,
                        Contains("rnn architecture: the architecture string is empty"));
    ENAS_REQUIRE_THROWS(RnnArch::parse("", RnnFormat::original), FormatError, Contains("rnn-original architecture"));
    ENAS_REQUIRE_THROWS(RnnArch::parse("0 1 q", RnnFormat::original), FormatError,
                        Contains("token 'q' at position 2 is not an integer"));
    ENAS_REQUIRE_THROWS(
        RnnArch::parse("0 2 1", RnnFormat::lm), FormatError,
        Contains("3 tokens is not 2N for N nodes after node 0") && Contains("2 for N = 1 and 4 for N = 2"));
    ENAS_REQUIRE_THROWS(RnnArch::parse("0", RnnFormat::lm), FormatError, Contains("1 token is not 2N"));
    ENAS_REQUIRE_THROWS(RnnArch::parse("0 0", RnnFormat::original), FormatError,
                        Contains("2 tokens is not 2N-1 for N nodes") && Contains("1 for N = 1 and 3 for N = 2"));
    ENAS_REQUIRE_THROWS(RnnArch::from_tokens({}, RnnFormat::lm), FormatError, Contains("no tokens"));
    // Out of range: node i reads [0, i), codes are in [0, 4).
    ENAS_REQUIRE_THROWS(RnnArch::parse("0 0 0 2 1", RnnFormat::original), ValueError,
                        Contains("rnn-original architecture: token 3 (node 2, input) is 2, allowed range [0, 2)"));
    ENAS_REQUIRE_THROWS(RnnArch::parse("4 0 0", RnnFormat::original), ValueError,
                        Contains("token 0 (node 0, activation code) is 4, allowed range [0, 4)"));
    ENAS_REQUIRE_THROWS(RnnArch::parse("1 0", RnnFormat::lm), ValueError,
                        Contains("rnn architecture: token 0 (node 1, input) is 1, allowed range [0, 1)"));
    ENAS_REQUIRE_THROWS(RnnArch::parse("0 2 1 -1", RnnFormat::lm), ValueError,
                        Contains("token 3 (node 2, activation code) is -1, allowed range [0, 4)"));
    // Construction from nodes.
    ENAS_REQUIRE_THROWS(RnnArch(RnnFormat::lm, {RnnNode{}}), FormatError, Contains("1 nodes, expected at least 2"));
    ENAS_REQUIRE_THROWS(RnnArch(RnnFormat::lm, {RnnNode{-1, A::relu}, RnnNode{0, A::tanh}}), ValueError,
                        Contains("node 0 is fixed to tanh in the lm format, got relu"));
    ENAS_REQUIRE_THROWS(RnnArch(RnnFormat::original, {RnnNode{0, A::tanh}}), ValueError,
                        Contains("node 0 reads the cell input"));
    ENAS_REQUIRE_THROWS(RnnArch(RnnFormat::original, {RnnNode{}, RnnNode{1, A::tanh}}), ValueError,
                        Contains("(node 1, input) is 1, allowed range [0, 1)"));
}
