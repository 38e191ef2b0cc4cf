#include "enas/data/ptb.hpp"

#include <algorithm>
#include <fstream>
#include <numeric>
#include <sstream>
#include <system_error>

#include "enas/core/error.hpp"

namespace enas::data {
namespace fs = std::filesystem;

std::int32_t Vocabulary::id(std::string_view w) const {
    const auto it = ids.find(std::string(w));
    check<ValueError>(it != ids.end(), "word '", w, "' is not in the vocabulary of ", words.size(), " words");
    return it->second;
}

namespace {

std::int32_t add_word(Vocabulary& vocab, const std::string& w) {
    const auto [it, inserted] = vocab.ids.emplace(w, vocab.size());
    if (inserted) vocab.words.push_back(w);
    return it->second;
}

/// Reads the whole file; IoError naming it when it is missing or unreadable.
std::string read_text(const fs::path& file) {
    std::error_code ec;
    check<IoError>(fs::is_regular_file(file, ec), "PTB file '", file.string(),
                   "' not found; expected Mikolov's ptb.train.txt, ptb.valid.txt and ptb.test.txt in '",
                   file.parent_path().string(), "'");
    std::ifstream in(file, std::ios::binary);
    check<IoError>(static_cast<bool>(in), "cannot open PTB file '", file.string(), "'");
    std::ostringstream text;
    text << in.rdbuf();
    check<IoError>(!in.bad(), "reading PTB file '", file.string(), "' failed");
    return std::move(text).str();
}

}  // namespace

std::vector<std::int32_t> read_ptb_file(const fs::path& file, Vocabulary& vocab, bool grow) {
    const std::string text = read_text(file);
    std::vector<std::int32_t> ids;
    std::int64_t line_no = 1;
    bool line_has_words = false, any_words = false;
    std::size_t i = 0;
    while (i < text.size()) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ids.push_back(grow ? add_word(vocab, std::string(kEndOfSentence)) : vocab.id(kEndOfSentence));
            ++line_no;
            line_has_words = false;
            ++i;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            ++i;
            continue;
        }
        check<FormatError>(c >= 0x20 && c != 0x7f, "PTB file '", file.string(), "' line ", line_no, ": byte 0x",
                           std::hex, static_cast<int>(c), std::dec,
                           " is a control character: this is not a text file (expected words separated by spaces)");
        std::size_t j = i;
        while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '\r' && text[j] != '\n') {
            const unsigned char d = static_cast<unsigned char>(text[j]);
            check<FormatError>(d >= 0x20 && d != 0x7f, "PTB file '", file.string(), "' line ", line_no, ": byte 0x",
                               std::hex, static_cast<int>(d), std::dec,
                               " is a control character: this is not a text file");
            ++j;
        }
        const std::string word = text.substr(i, j - i);
        if (grow) {
            ids.push_back(add_word(vocab, word));
        } else {
            const auto it = vocab.ids.find(word);
            check<FormatError>(it != vocab.ids.end(), "PTB file '", file.string(), "' line ", line_no, ": word '", word,
                               "' is not in the vocabulary of the training file (", vocab.size(), " words)");
            ids.push_back(it->second);
        }
        line_has_words = any_words = true;
        i = j;
    }
    if (line_has_words)  // a last line without a final newline still ends a sentence
        ids.push_back(grow ? add_word(vocab, std::string(kEndOfSentence)) : vocab.id(kEndOfSentence));
    check<FormatError>(any_words, "PTB file '", file.string(), "' is empty (no words)");
    return ids;
}

PtbCorpus load_ptb(const fs::path& dir, VocabOrder order) {
    std::error_code ec;
    check<IoError>(fs::is_directory(dir, ec), "PTB folder '", dir.string(),
                   "' does not exist (or is not a folder); expected ptb.train.txt, ptb.valid.txt and ptb.test.txt");
    PtbCorpus c;
    c.folder = dir;
    c.train = read_ptb_file(dir / "ptb.train.txt", c.vocab, true);
    if (order == VocabOrder::frequency) {
        std::vector<std::int64_t> count(static_cast<std::size_t>(c.vocab.size()), 0);
        for (std::int32_t id : c.train) ++count[static_cast<std::size_t>(id)];
        std::vector<std::int32_t> by_count(static_cast<std::size_t>(c.vocab.size()));
        std::iota(by_count.begin(), by_count.end(), 0);
        std::stable_sort(by_count.begin(), by_count.end(), [&](std::int32_t a, std::int32_t b) {
            return count[static_cast<std::size_t>(a)] > count[static_cast<std::size_t>(b)];
        });
        std::vector<std::int32_t> new_id(by_count.size());
        Vocabulary sorted;
        for (std::size_t r = 0; r < by_count.size(); ++r) {
            new_id[static_cast<std::size_t>(by_count[r])] = static_cast<std::int32_t>(r);
            add_word(sorted, c.vocab.words[static_cast<std::size_t>(by_count[r])]);
        }
        for (std::int32_t& id : c.train) id = new_id[static_cast<std::size_t>(id)];
        c.vocab = std::move(sorted);
    }
    c.valid = read_ptb_file(dir / "ptb.valid.txt", c.vocab, false);
    c.test = read_ptb_file(dir / "ptb.test.txt", c.vocab, false);
    return c;
}

TokenRows batchify(const std::vector<std::int32_t>& stream, std::int64_t batch) {
    check<ValueError>(batch >= 1, "batchify: batch must be >= 1, got ", batch);
    const auto n = static_cast<std::int64_t>(stream.size());
    check<ValueError>(n >= 2 * batch, "batchify: ", n, " tokens are too few for ", batch,
                      " rows (each row needs at least 2 tokens: an input and its target)");
    TokenRows r;
    r.batch = batch;
    r.length = n / batch;
    r.ids.assign(stream.begin(), stream.begin() + r.batch * r.length);
    return r;
}

}  // namespace enas::data
