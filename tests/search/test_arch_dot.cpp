// DOT export: the expected nodes and edges for each space.
#include <algorithm>
#include <random>
#include <string>

#include "enas/search/arch_dot.hpp"
#include "random_arch.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::search;
using Catch::Matchers::Contains;

namespace {
std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
    return n;
}
/// prefix + number (+= rather than operator+, which trips a GCC 12 -Wrestrict false positive).
std::string numbered(const char* prefix, int i) {
    std::string out = prefix;
    out += std::to_string(i);
    return out;
}
/// Balanced braces and one top-level digraph: a cheap well-formedness check.
void check_well_formed(const std::string& dot, const std::string& name) {
    CHECK(dot.rfind("digraph " + name + " {", 0) == 0);
    CHECK(count_of(dot, "{") == count_of(dot, "}"));
    CHECK(dot.back() == '\n');
}
}  // namespace

TEST_CASE("macro DOT: layers with op labels, chain edges, dashed skip edges", "[search][dot]") {
    const MacroArch arch = MacroArch::parse("0 3 0 2 1 1 5 0 0 1");  // 4 layers
    const std::string dot = to_dot(arch);
    check_well_formed(dot, "macro");
    CHECK_THAT(dot, Contains("stem [label=\"stem\\nconv 3x3\"]"));
    CHECK_THAT(dot, Contains("layer0 [label=\"layer 0\\nconv3\\nthen FR /2\"]"));  // L = 4: pools after 0, 1
    CHECK_THAT(dot, Contains("layer1 [label=\"layer 1\\nsep5\\nthen FR /2\"]"));
    CHECK_THAT(dot, Contains("layer2 [label=\"layer 2\\nconv5\"]"));
    CHECK_THAT(dot, Contains("layer3 [label=\"layer 3\\nmaxpool\"]"));
    for (const char* edge :
         {"stem -> layer0;", "layer0 -> layer1;", "layer1 -> layer2;", "layer2 -> layer3;", "layer3 -> head;"})
        CHECK_THAT(dot, Contains(edge));
    // Layer 2 "1 1": skips from the stem and layer 0; layer 3 "0 0 1": from layer 1.
    CHECK_THAT(dot, Contains("stem -> layer2 [style=dashed"));
    CHECK_THAT(dot, Contains("layer0 -> layer2 [style=dashed"));
    CHECK_THAT(dot, Contains("layer1 -> layer3 [style=dashed"));
    CHECK(count_of(dot, "style=dashed") == static_cast<std::size_t>(arch.skip_count()));
}

TEST_CASE("micro DOT: both cells, op-labelled edges, loose ends into the concat", "[search][dot]") {
    const MicroArch arch = MicroArch::parse(fixtures::kReleasedMicro);
    const std::string dot = to_dot(arch);
    check_well_formed(dot, "micro");
    CHECK_THAT(dot, Contains("subgraph cluster_normal {"));
    CHECK_THAT(dot, Contains("subgraph cluster_reduction {"));
    CHECK_THAT(dot, Contains("normal_in0 [label=\"c_{k-2}\""));
    CHECK_THAT(dot, Contains("reduction_in1 [label=\"c_{k-1}\""));
    // n2 = avg(0) + sep3(0) in the normal cell; n4 = sep5(1) + sep5(3) in the reduction cell.
    CHECK_THAT(dot, Contains("normal_in0 -> normal_n2 [label=\"avg3\"];"));
    CHECK_THAT(dot, Contains("normal_in0 -> normal_n2 [label=\"sep3\"];"));
    CHECK_THAT(dot, Contains("reduction_in1 -> reduction_n4 [label=\"sep5\"];"));
    CHECK_THAT(dot, Contains("reduction_n3 -> reduction_n4 [label=\"sep5\"];"));
    // Loose ends {2..6} and {2, 4, 5, 6}.
    for (int i : {2, 3, 4, 5, 6}) CHECK_THAT(dot, Contains(numbered("normal_n", i) + " -> normal_out;"));
    for (int i : {2, 4, 5, 6}) CHECK_THAT(dot, Contains(numbered("reduction_n", i) + " -> reduction_out;"));
    CHECK_FALSE(dot.find("reduction_n3 -> reduction_out;") != std::string::npos);
    CHECK(count_of(dot, "-> normal_out;") == 5);
    CHECK(count_of(dot, "-> reduction_out;") == 4);
    CHECK(count_of(dot, "[label=\"") >= 20u + 4u);  // 20 op edges plus the node labels

    const std::string single = to_dot(arch.normal(), "normal");
    check_well_formed(single, "normal");
    CHECK(count_of(single, "-> normal_out;") == 5);
}

TEST_CASE("rnn DOT: nodes with activations, input edges, averaged outputs", "[search][dot]") {
    const RnnArch seed = RnnArch::parse(fixtures::kSeedRnnOriginal, RnnFormat::original);
    const std::string dot = to_dot(seed);
    check_well_formed(dot, "rnn");
    CHECK_THAT(dot, Contains("input -> n0;"));
    CHECK_THAT(dot, Contains("n0 [label=\"0: tanh\"]"));
    CHECK_THAT(dot, Contains("n6 [label=\"6: relu\"]"));
    CHECK_THAT(dot, Contains("n5 -> n6;"));
    CHECK_THAT(dot, Contains("n8 -> n11;"));
    CHECK_THAT(dot, Contains("mean(loose ends)"));
    for (int i : {3, 4, 7, 9, 10, 11}) CHECK_THAT(dot, Contains(numbered("n", i) + " -> output"));
    CHECK(count_of(dot, "-> output") == 6);

    const RnnArch lm = RnnArch::parse(fixtures::kReleasedRnnLm, RnnFormat::lm);
    const std::string lm_dot = to_dot(lm);
    CHECK_THAT(lm_dot, Contains("n1 [label=\"1: sigmoid\"]"));
    CHECK_THAT(lm_dot, Contains("mean(1..N)"));
    CHECK(count_of(lm_dot, "-> output") == 8);
}

TEST_CASE("DOT export works for random architectures of every space", "[search][dot]") {
    std::mt19937 rng(12);
    for (SearchSpace space : fixtures::kAllSpaces)
        for (int trial = 0; trial < 50; ++trial) {
            const AnyArch arch = fixtures::random_arch(rng, space);
            const std::string dot = to_dot(arch);
            REQUIRE(count_of(dot, "{") == count_of(dot, "}"));
            REQUIRE(dot.find("digraph") == 0);
        }
}
