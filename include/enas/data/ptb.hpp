// Penn Treebank in Mikolov's preprocessed text form (ptb.train.txt, ptb.valid.txt, ptb.test.txt:
// one sentence per line, words separated by spaces, rare words already replaced by <unk>), as
// the authors' language-model code reads it (reference §8): the vocabulary comes from the
// training file, every line ends with an <eos> token, and each split becomes one id stream.
//
// Id order: `first_seen` numbers words in the order they first appear in the training file
// (<eos> gets the id it first appears with, i.e. after the first line's words), which is what
// enas_lm's process.py does; `frequency` numbers them by decreasing count in the training file,
// ties broken by first appearance. Both give the same 10,000-word vocabulary on the real PTB.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace enas::data {

/// The end-of-sentence token appended to every line.
inline constexpr std::string_view kEndOfSentence = "<eos>";

enum class VocabOrder { first_seen, frequency };

/// Words and their ids (0 .. size-1).
struct Vocabulary {
    std::vector<std::string> words;  ///< words[id]
    std::unordered_map<std::string, std::int32_t> ids;

    std::int32_t size() const { return static_cast<std::int32_t>(words.size()); }
    bool contains(std::string_view w) const { return ids.count(std::string(w)) != 0; }
    /// The id of `w`; ValueError when it is not in the vocabulary.
    std::int32_t id(std::string_view w) const;
};

/// The three splits as id streams over one vocabulary.
struct PtbCorpus {
    Vocabulary vocab;
    std::vector<std::int32_t> train, valid, test;
    std::filesystem::path folder;
};

/// Reads `dir`/ptb.{train,valid,test}.txt. Throws IoError naming the file when a split is missing
/// or unreadable; FormatError naming the file (and line) when a file is empty, is binary (holds a
/// NUL or other control byte), or when valid/test holds a word that is not in the training
/// vocabulary (naming the word, the file and the line).
PtbCorpus load_ptb(const std::filesystem::path& dir, VocabOrder order = VocabOrder::first_seen);

/// The words of one text file as ids, <eos> after every line. With `grow` new words are added to
/// `vocab` (the training file); otherwise a word not in `vocab` is a FormatError.
std::vector<std::int32_t> read_ptb_file(const std::filesystem::path& file, Vocabulary& vocab, bool grow);

/// A token stream cut into `batch` equal rows (the reference's reshape to [batch, length]): row b
/// holds tokens b*length .. (b+1)*length - 1; the last stream.size() % batch tokens are dropped.
struct TokenRows {
    std::int64_t batch = 0, length = 0;
    std::vector<std::int32_t> ids;  ///< [batch, length] row-major

    std::int32_t at(std::int64_t b, std::int64_t t) const { return ids[static_cast<std::size_t>(b * length + t)]; }
};

/// ValueError when the stream has fewer than 2 * batch tokens (a window needs a target).
TokenRows batchify(const std::vector<std::int32_t>& stream, std::int64_t batch);

}  // namespace enas::data
