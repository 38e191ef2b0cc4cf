// enas_arch: validate, describe, draw and convert ENAS architectures (macro, micro, and recurrent
// cells in the LM and the authors' original format) given as the authors' flat integer strings
// or as JSON. See docs/cli.md.
//
//   enas_arch validate  --space micro "0 2 0 0 0 4 0 1 ..."
//   enas_arch describe  --space rnn-original --file seed.txt
//   enas_arch dot       --space macro --file arc.txt --out arc.dot
//   enas_arch to-json   --space rnn "0 2 1 0 2 1 2 2 4 0 5 0 3 2 6 2"
//   enas_arch from-json --file arch.json
//
// Exit status: 0 on success, 1 on a bad architecture or input (one line on stderr saying why),
// and CLI11's codes for command-line usage errors.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <string>

#include "arch_io.hpp"
#include "enas/core/error.hpp"
#include "enas/search/arch_describe.hpp"
#include "enas/search/arch_dot.hpp"
#include "enas/search/arch_json.hpp"
#include "enas/search/space.hpp"

namespace {

using namespace enas::search;

struct Options {
    enas_arch::InputOptions input;
    std::string out;
    bool compact = false;
};

void add_input_options(CLI::App* command, Options& options, bool json_input) {
    command
        ->add_option("arch", options.input.words,
                     json_input ? "the JSON document (default: --file or stdin)"
                                : "the architecture: the flat integer string (quote it, or pass the integers as "
                                  "separate words) or a JSON document (default: --file or stdin)")
        ->expected(0, -1);
    command->add_option("--file,-f", options.input.file, "read the architecture from FILE");
    auto* space = command->add_option(
        "--space,-s", options.input.space,
        json_input ? "check that the JSON is of this space" : "the space of a flat string (required for one)");
    space->check(CLI::IsMember({"macro", "micro", "rnn", "rnn-original"}));
    command->add_option("--nodes", options.input.micro_nodes, "micro: nodes per cell B (default 5; 8B tokens)")
        ->check(CLI::Range(1, 1000));
}

void add_output_options(CLI::App* command, Options& options, bool json_output) {
    command->add_option("--out,-o", options.out, "write to FILE instead of stdout (written whole, then renamed)");
    if (json_output) command->add_flag("--compact", options.compact, "print the JSON on one line");
}

std::string summary(const AnyArch& arch) {
    const std::string tokens = std::to_string(tokens_of(arch).size()) + " tokens";
    if (const auto* macro = std::get_if<MacroArch>(&arch))
        return std::to_string(macro->num_layers()) + " layers, " + tokens;
    if (const auto* micro = std::get_if<MicroArch>(&arch))
        return "2 cells of " + std::to_string(micro->num_nodes()) + (micro->num_nodes() == 1 ? " node, " : " nodes, ") +
               tokens;
    const auto& rnn = std::get<RnnArch>(arch);
    if (rnn.format() == RnnFormat::lm)
        return std::to_string(rnn.format_node_count()) + " nodes after node 0, " + tokens;
    return std::to_string(rnn.num_nodes()) + " nodes, " + tokens;
}

std::string dump(const ArchJson& j, bool compact) { return (compact ? j.dump() : dump_readable(j)) + "\n"; }

/// One line, whatever the message holds.
std::string one_line(std::string message) {
    for (char& c : message)
        if (c == '\n' || c == '\r') c = ' ';
    return message;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "enas_arch: validate, describe, draw (graphviz) and convert ENAS architectures.\n"
        "Spaces: macro (L(L+1)/2 ints), micro (40 ints: normal then reduction cell), rnn (the corrected\n"
        "LM format, 2N ints), rnn-original (the authors' TF format, 2N-1 ints). See docs/cli.md."};
    app.require_subcommand(1);
    Options options;

    auto* validate = app.add_subcommand("validate", "check an architecture; print a one-line summary");
    add_input_options(validate, options, false);

    auto* describe_cmd = app.add_subcommand(
        "describe", "print JSON: the structure plus ops histogram, skips, loose ends and parameter counts");
    add_input_options(describe_cmd, options, false);
    add_output_options(describe_cmd, options, true);

    auto* dot = app.add_subcommand("dot", "write a graphviz digraph (render with: dot -Tpng FILE -o out.png)");
    add_input_options(dot, options, false);
    add_output_options(dot, options, false);

    auto* to_json = app.add_subcommand("to-json", "convert a flat string to the JSON form");
    add_input_options(to_json, options, false);
    add_output_options(to_json, options, true);

    auto* from_json = app.add_subcommand("from-json", "convert the JSON form to the authors' flat string");
    add_input_options(from_json, options, true);
    add_output_options(from_json, options, false);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) { return app.exit(e); }

    try {
        if (validate->parsed()) {
            const AnyArch arch = enas_arch::read_arch(options.input);
            std::cout << "valid " << space_name(space_of(arch)) << " architecture: " << summary(arch) << "\n";
        } else if (describe_cmd->parsed()) {
            enas_arch::write_output(dump(describe(enas_arch::read_arch(options.input)), options.compact), options.out);
        } else if (dot->parsed()) {
            enas_arch::write_output(to_dot(enas_arch::read_arch(options.input)), options.out);
        } else if (to_json->parsed()) {
            enas_arch::write_output(dump(arch_to_json(enas_arch::read_arch(options.input)), options.compact),
                                    options.out);
        } else if (from_json->parsed()) {
            enas_arch::write_output(to_string(enas_arch::read_arch(options.input, true)) + "\n", options.out);
        }
    } catch (const std::exception& e) {
        std::cerr << "enas_arch: " << one_line(e.what()) << "\n";
        return 1;
    }
    return 0;
}
