#include "arch_io.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "enas/core/error.hpp"
#include "enas/search/arch_json.hpp"

namespace enas_arch {

namespace {

std::string join_words(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& w : words) {
        if (!out.empty()) out += ' ';
        out += w;
    }
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw enas::IoError("cannot open '" + path + "': " + std::strerror(errno));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw enas::IoError("cannot read '" + path + "'");
    return buffer.str();
}

}  // namespace

std::string read_input_text(const InputOptions& options) {
    if (!options.words.empty() && !options.file.empty())
        throw enas::ValueError("give the architecture either as an argument or with --file, not both");
    if (!options.words.empty()) return join_words(options.words);
    if (!options.file.empty()) return read_file(options.file);
    if (isatty(STDIN_FILENO))
        throw enas::ValueError("no architecture given: pass it as an argument, with --file FILE, or on stdin");
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

bool looks_like_json(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    return first != std::string::npos && text[first] == '{';
}

enas::search::AnyArch read_arch(const InputOptions& options, bool require_json) {
    using namespace enas::search;
    const std::string text = read_input_text(options);
    std::optional<SearchSpace> space;
    if (!options.space.empty()) space = space_from_name(options.space);
    if (looks_like_json(text)) {
        AnyArch arch = arch_from_json_text(text);
        if (space && space_of(arch) != *space)
            throw enas::ValueError(enas::detail::concat("the JSON architecture is in space '",
                                                        space_name(space_of(arch)), "' but --space is '",
                                                        space_name(*space), "'"));
        return arch;
    }
    if (require_json) throw enas::FormatError("expected a JSON architecture (a document starting with '{')");
    if (!space)
        throw enas::ValueError(
            "--space is required for a flat architecture string (macro, micro, rnn or rnn-original)");
    return parse_arch(*space, text, options.micro_nodes);
}

void write_output(const std::string& text, const std::string& path) {
    if (path.empty()) {
        std::cout << text;
        std::cout.flush();
        if (!std::cout) throw enas::IoError("cannot write to stdout");
        return;
    }
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) throw enas::IoError("cannot write '" + temporary + "': " + std::strerror(errno));
        out << text;
        out.close();
        if (!out) {
            std::remove(temporary.c_str());
            throw enas::IoError("cannot write '" + temporary + "'");
        }
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) {
        std::remove(temporary.c_str());
        throw enas::IoError("cannot rename '" + temporary + "' to '" + path + "': " + error.message());
    }
}

}  // namespace enas_arch
