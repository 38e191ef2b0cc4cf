// JSON form and describe(): round trips on random architectures of every space, the readable
// structure, describe's derived fields, and malformed documents. Also the space names and
// AnyArch dispatch.
#include <random>
#include <unordered_set>

#include "enas/search/arch_describe.hpp"
#include "enas/search/arch_json.hpp"
#include "random_arch.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::search;
using Catch::Matchers::Contains;

TEST_CASE("space names and AnyArch dispatch", "[search][json]") {
    for (SearchSpace s : fixtures::kAllSpaces) CHECK(space_from_name(space_name(s)) == s);
    CHECK(std::string_view(space_name(SearchSpace::rnn_original)) == "rnn-original");
    CHECK(rnn_format_of(SearchSpace::rnn) == RnnFormat::lm);
    CHECK(rnn_format_of(SearchSpace::rnn_original) == RnnFormat::original);
    ENAS_REQUIRE_THROWS(space_from_name("cnn"), ValueError, Contains("unknown search space 'cnn'"));
    ENAS_REQUIRE_THROWS(rnn_format_of(SearchSpace::macro), ValueError, Contains("not a recurrent space"));
    const AnyArch micro = parse_arch(SearchSpace::micro, fixtures::kReleasedMicro);
    CHECK(space_of(micro) == SearchSpace::micro);
    CHECK(to_string(micro) == fixtures::kReleasedMicro);
    const AnyArch seed = parse_arch(SearchSpace::rnn_original, fixtures::kSeedRnnOriginal);
    CHECK(space_of(seed) == SearchSpace::rnn_original);
    CHECK(tokens_of(seed).size() == 23);
    // AnyArch hashes through std::hash<std::variant>; equal tokens in different spaces differ.
    std::unordered_set<AnyArch> set{micro, seed, parse_arch(SearchSpace::rnn_original, "0 0 1"),
                                    parse_arch(SearchSpace::rnn, "0 1")};
    CHECK(set.size() == 4);
    CHECK(set.count(parse_arch(SearchSpace::micro, fixtures::kReleasedMicro)) == 1);
    CHECK(arch_from_tokens(SearchSpace::rnn, tokens_of(parse_arch(SearchSpace::rnn, fixtures::kReleasedRnnLm))) ==
          parse_arch(SearchSpace::rnn, fixtures::kReleasedRnnLm));
}

TEST_CASE("JSON round trips on random architectures of every space", "[search][json]") {
    std::mt19937 rng(31337);
    for (SearchSpace space : fixtures::kAllSpaces) {
        for (int trial = 0; trial < 200; ++trial) {
            const AnyArch arch = fixtures::random_arch(rng, space);
            const ArchJson j = arch_to_json(arch);
            REQUIRE(j.at("space") == std::string(space_name(space)));
            REQUIRE(arch_from_json(j) == arch);
            // Through text, through nlohmann::json, and from describe's superset.
            REQUIRE(arch_from_json_text(j.dump()) == arch);
            REQUIRE(arch_from_json(ArchJson(nlohmann::json(j))) == arch);
            REQUIRE(arch_from_json(describe(arch)) == arch);
            // The readable printer parses back to the same document.
            REQUIRE(ArchJson::parse(dump_readable(describe(arch))) == describe(arch));
            // The string form agrees.
            REQUIRE(arch_from_tokens(space, tokens_of(arch), j.value("num_nodes", MicroArch::kDefaultNodes)) == arch);
        }
    }
}

TEST_CASE("adl_serializer: json j = arch; j.get<T>()", "[search][json]") {
    const MacroArch macro = MacroArch::parse("0 3 1 2 0 1");
    nlohmann::json j = macro;
    CHECK(j.get<MacroArch>() == macro);
    const MicroArch micro = MicroArch::parse(fixtures::kReleasedMicro);
    nlohmann::ordered_json o = micro;
    CHECK(o.get<MicroArch>() == micro);
    const RnnArch rnn = RnnArch::parse(fixtures::kSeedRnnOriginal, RnnFormat::original);
    j = rnn;
    CHECK(j.get<RnnArch>() == rnn);
}

TEST_CASE("the JSON form is readable: names, skip sources, nodes", "[search][json]") {
    const ArchJson macro = arch_to_json(MacroArch::parse("0 3 0 2 1 1"));
    CHECK(macro.dump() ==
          R"({"space":"macro","num_layers":3,"layers":[{"layer":0,"op":"conv3","skips":[]},)"
          R"({"layer":1,"op":"sep5","skips":[]},{"layer":2,"op":"conv5","skips":["stem","layer 0"]}]})");
    const ArchJson micro = arch_to_json(MicroArch::parse(fixtures::kReleasedMicro));
    CHECK(micro["nodes"]["normal"][0].dump() == R"({"node":2,"input1":0,"op1":"avg3","input2":0,"op2":"sep3"})");
    CHECK(micro["nodes"]["reduction"][4].dump() == R"({"node":6,"input1":0,"op1":"max3","input2":1,"op2":"sep5"})");
    const ArchJson lm = arch_to_json(RnnArch::parse(fixtures::kReleasedRnnLm, RnnFormat::lm));
    CHECK(lm["space"] == "rnn");
    CHECK(lm["nodes"].size() == 9);
    CHECK(lm["nodes"][0]["activation"] == "tanh");
    CHECK(lm["nodes"][1].dump() == R"({"node":1,"input":0,"activation":"sigmoid"})");
}

TEST_CASE("dump_readable keeps short parts on one line", "[search][json]") {
    const std::string text = dump_readable(describe(RnnArch::parse("0 1", RnnFormat::lm)));
    CHECK_THAT(text,
               Contains("\n  \"nodes\": [\n    {\"node\": 0, \"input\": \"x_t, s_{t-1}\", \"activation\": \"tanh\"},"));
    CHECK_THAT(text, Contains("\"loose_ends\": [1],"));
    CHECK(text.front() == '{');
    CHECK(text.back() == '}');
}

TEST_CASE("describe adds histogram, skips, loose ends and parameter counts", "[search][json]") {
    const ArchJson macro = describe(MacroArch::parse(fixtures::kReleasedMacro));
    CHECK(macro["ops"].dump() == R"({"conv3":8,"sep3":2,"conv5":9,"sep5":5,"avgpool":0,"maxpool":0})");
    CHECK(macro["skips"] == 98);
    CHECK(macro["possible_skips"] == 276);
    CHECK(macro["pool_after_layers"].dump() == "[7,15]");
    CHECK(macro["parameters"]["final_script"] == 42559392);
    CHECK(macro["string"] == fixtures::kReleasedMacro);

    const ArchJson micro = describe(MicroArch::parse(fixtures::kReleasedMicro));
    CHECK(micro["loose_ends"].dump() == R"({"normal":[2,3,4,5,6],"reduction":[2,4,5,6]})");
    CHECK(micro["ops"]["normal"]["sep5"] == 4);
    CHECK(micro["parameters"]["final_script"] == 3894372);

    const ArchJson seed = describe(RnnArch::parse(fixtures::kSeedRnnOriginal, RnnFormat::original));
    CHECK(seed["num_nodes"] == 12);
    CHECK(seed["loose_ends"].dump() == "[3,4,7,9,10,11]");
    CHECK(seed["output_nodes"] == seed["loose_ends"]);
    CHECK(seed["ops"].dump() == R"({"tanh":5,"relu":7,"sigmoid":0,"identity":0})");

    const ArchJson lm = describe(RnnArch::parse(fixtures::kReleasedRnnLm, RnnFormat::lm));
    CHECK(lm["output_nodes"].dump() == "[1,2,3,4,5,6,7,8]");
    CHECK(lm["output"] == "mean of all nodes 1..N");
}

TEST_CASE("malformed JSON documents give FormatError naming the path", "[search][json]") {
    ENAS_REQUIRE_THROWS(arch_from_json_text("{\"space\": "), FormatError, Contains("not valid JSON"));
    ENAS_REQUIRE_THROWS(arch_from_json_text("[1, 2]"), FormatError, Contains("expected a JSON object"));
    ENAS_REQUIRE_THROWS(arch_from_json_text("{}"), FormatError, Contains("missing field \"space\""));
    ENAS_REQUIRE_THROWS(arch_from_json_text(R"({"space": 3})"), FormatError, Contains("space: expected a string"));
    ENAS_REQUIRE_THROWS(arch_from_json_text(R"({"space": "cnn"})"), FormatError,
                        Contains("unknown search space 'cnn'"));
    ENAS_REQUIRE_THROWS(arch_from_json_text(R"({"space": "macro"})"), FormatError,
                        Contains("macro JSON: missing field \"layers\""));
    ENAS_REQUIRE_THROWS(arch_from_json_text(R"({"space": "macro", "layers": []})"), FormatError, Contains("no layers"));
    ENAS_REQUIRE_THROWS(arch_from_json_text(R"({"space":"macro","layers":[{"op":"conv9","skips":[]}]})"), FormatError,
                        Contains("macro JSON.layers[0].op: unknown macro op 'conv9'"));
    ENAS_REQUIRE_THROWS(arch_from_json_text(R"({"space":"macro","layers":[{"op":1,"skips":[]}]})"), FormatError,
                        Contains("layers[0].op: expected a string"));
    ENAS_REQUIRE_THROWS(
        arch_from_json_text(
            R"({"space":"macro","layers":[{"op":"conv3","skips":[]},{"op":"conv3","skips":["layer x"]}]})"),
        FormatError, Contains("layers[1].skips[0]: skip source 'layer x' is not"));
    ENAS_REQUIRE_THROWS(
        arch_from_json_text(
            R"({"space":"macro","layers":[{"op":"conv3","skips":[]},{"op":"conv3","skips":["layer 0"]}]})"),
        ValueError, Contains("skip source 'layer 0' is not allowed (layer 1 can skip from the stem only"));
    ENAS_REQUIRE_THROWS(
        arch_from_json_text(
            R"({"space":"micro","nodes":{"normal":[{"node":2,"input1":0,"op1":"sep3","input2":2,"op2":"sep3"}],)"
            R"("reduction":[{"node":2,"input1":0,"op1":"sep3","input2":0,"op2":"sep3"}]}})"),
        ValueError, Contains("token 2 (normal cell, node 2, idx2) is 2, allowed range [0, 2)"));
    ENAS_REQUIRE_THROWS(
        arch_from_json_text(
            R"({"space":"micro","nodes":{"normal":[{"node":3,"input1":0,"op1":"sep3","input2":0,"op2":"sep3"}],)"
            R"("reduction":[]}})"),
        FormatError, Contains("nodes.normal[0].node: is 3, expected 2"));
    ENAS_REQUIRE_THROWS(
        arch_from_json_text(
            R"({"space":"micro","nodes":{"normal":[{"node":2,"input1":0,"op1":"sep3","input2":0,"op2":"sep3"}],)"
            R"("reduction":[]}})"),
        FormatError, Contains("the normal cell has 1 nodes but the reduction cell has 0"));
    ENAS_REQUIRE_THROWS(arch_from_json_text(R"({"space":"rnn","nodes":[{"node":0,"activation":"relu"},)"
                                            R"({"node":1,"input":0,"activation":"tanh"}]})"),
                        ValueError, Contains("node 0 is fixed to tanh"));
    ENAS_REQUIRE_THROWS(arch_from_json_text(R"({"space":"rnn-original","nodes":[{"node":0,"activation":"tanh"},)"
                                            R"({"node":1,"input":"0","activation":"tanh"}]})"),
                        FormatError, Contains("rnn-original JSON.nodes[1].input: expected an integer"));
    ENAS_REQUIRE_THROWS(arch_from_json_text(R"({"space":"rnn-original","nodes":[{"node":0,"activation":"swish"}]})"),
                        FormatError, Contains("nodes[0].activation: unknown activation 'swish'"));
    ENAS_REQUIRE_THROWS(arch_from_json_text(R"({"space":"macro","num_layers":2,"layers":[{"op":"conv3","skips":[]}]})"),
                        FormatError, Contains("macro JSON.num_layers: is 2 but the document lists 1"));
    ENAS_REQUIRE_THROWS(arch_from_json_text(R"({"space":"macro","layers":[{"layer":1,"op":"conv3","skips":[]}]})"),
                        FormatError, Contains("layers[0].layer: is 1, expected 0"));
    ArchJson micro = arch_to_json(MicroArch::parse(fixtures::kReleasedMicro));
    micro["num_nodes"] = 4;
    ENAS_REQUIRE_THROWS(micro_arch_from_json(micro), FormatError,
                        Contains("micro JSON.num_nodes: is 4 but the document lists 5"));
    ENAS_REQUIRE_THROWS(macro_arch_from_json(arch_to_json(MicroArch::parse(fixtures::kReleasedMicro))), FormatError,
                        Contains("\"space\" is \"micro\", expected \"macro\""));
}
