// Input and output of the enas_arch tool: where the architecture text comes from (argument,
// --file, stdin), how it is read (flat string of a space, or JSON), and how results are written
// (stdout, or a file written whole through a temporary and a rename).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "enas/search/space.hpp"

namespace enas_arch {

/// What the user gave on the command line about the input.
struct InputOptions {
    std::vector<std::string> words;                            ///< positional words, joined with spaces
    std::string file;                                          ///< --file
    std::string space;                                         ///< --space (empty: not given)
    int micro_nodes = enas::search::MicroArch::kDefaultNodes;  ///< --nodes
};

/// The input text: the positional words, the file, or stdin (in that order of preference).
/// Throws enas::IoError if the file cannot be read, enas::ValueError if both an argument and
/// --file are given, or nothing is given and stdin is a terminal.
std::string read_input_text(const InputOptions& options);

/// True if the text is a JSON document (its first non-blank character is '{').
bool looks_like_json(const std::string& text);

/// Reads the architecture: JSON (the space comes from its "space" field and must match --space
/// if given), or the flat string of --space (required then). Throws enas::Error subclasses.
enas::search::AnyArch read_arch(const InputOptions& options, bool require_json = false);

/// Writes `text` to `path`, or to stdout when `path` is empty. A file is written to
/// `path.tmp` and renamed, so a failure never leaves a half-written file (enas::IoError).
void write_output(const std::string& text, const std::string& path);

}  // namespace enas_arch
