// The Penn Treebank loader (vocabulary, <eos>, id orders, errors naming file and line), token
// rows, and BPTT windows (fixed and enas_lm's random lengths, resumable).
#include <cmath>
#include <fstream>
#include <map>

#include "data_test_support.hpp"
#include "enas/data/bptt.hpp"
#include "enas/data/ptb.hpp"
#include "test_needs.hpp"
#include "test_utils.hpp"

using namespace enas;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

/// A tiny corpus: train "a b c\nb a\n", valid "a c\n", test "c\n".
void write_tiny(const fs::path& dir) {
    write_text(dir / "ptb.train.txt", " a b c \n b a \n");
    write_text(dir / "ptb.valid.txt", " a c \n");
    write_text(dir / "ptb.test.txt", "c");
}

}  // namespace

TEST_CASE("The shared PTB has a 10,000-word vocabulary and the published sizes", "[data][needs-ptb]") {
    REQUIRE(test::missing_need("ptb").empty());
    const data::PtbCorpus c = data::load_ptb(test::shared_data_dir() / "ptb");
    REQUIRE(c.vocab.size() == 10000);
    REQUIRE(c.vocab.contains("<unk>"));
    REQUIRE(c.vocab.contains("<eos>"));
    // The published token counts (929k / 73k / 82k), which include one <eos> per line.
    REQUIRE(c.train.size() == 929589u);
    REQUIRE(c.valid.size() == 73760u);
    REQUIRE(c.test.size() == 82430u);
    const data::PtbCorpus f = data::load_ptb(test::shared_data_dir() / "ptb", data::VocabOrder::frequency);
    REQUIRE(f.vocab.size() == 10000);
    REQUIRE(f.vocab.words[0] == "the");  // the most frequent word
    REQUIRE(f.vocab.words[1] == "<unk>");
}

TEST_CASE("PTB ids: first-seen and frequency orders, <eos> at every line end", "[data]") {
    test::TempDir tmp("ptb-tiny");
    write_tiny(tmp.path);
    const data::PtbCorpus c = data::load_ptb(tmp.path);
    REQUIRE(c.vocab.words == std::vector<std::string>{"a", "b", "c", "<eos>"});
    REQUIRE(c.train == std::vector<std::int32_t>{0, 1, 2, 3, 1, 0, 3});
    REQUIRE(c.valid == std::vector<std::int32_t>{0, 2, 3});
    REQUIRE(c.test == std::vector<std::int32_t>{2, 3});  // no final newline: the sentence still ends
    const data::PtbCorpus f = data::load_ptb(tmp.path, data::VocabOrder::frequency);
    // counts: a 2, b 2, <eos> 2, c 1; ties keep first appearance
    REQUIRE(f.vocab.words == std::vector<std::string>{"a", "b", "<eos>", "c"});
    REQUIRE(f.train == std::vector<std::int32_t>{0, 1, 3, 2, 1, 0, 2});
    REQUIRE(f.valid == std::vector<std::int32_t>{0, 3, 2});
    REQUIRE(f.vocab.id("c") == 3);
}

TEST_CASE("PTB errors name the file and the line", "[data]") {
    test::TempDir tmp("ptb-bad");
    ENAS_REQUIRE_THROWS(data::load_ptb(tmp.path / "nope"), IoError, Contains("nope") && Contains("ptb.train.txt"));
    write_tiny(tmp.path);
    fs::remove(tmp.path / "ptb.test.txt");
    ENAS_REQUIRE_THROWS(data::load_ptb(tmp.path), IoError, Contains("ptb.test.txt") && Contains("not found"));
    write_text(tmp.path / "ptb.test.txt", "c\n");
    write_text(tmp.path / "ptb.valid.txt", "a\n a zebra c\n");
    ENAS_REQUIRE_THROWS(
        data::load_ptb(tmp.path), FormatError,
        Contains("ptb.valid.txt") && Contains("line 2") && Contains("'zebra'") && Contains("not in the vocabulary"));
    write_text(tmp.path / "ptb.valid.txt", "a\n");
    write_text(tmp.path / "ptb.train.txt", " \n\n");
    ENAS_REQUIRE_THROWS(data::load_ptb(tmp.path), FormatError, Contains("ptb.train.txt") && Contains("empty"));
    test::write_bytes(tmp.path / "ptb.train.txt", {'a', ' ', 'b', '\n', 0x7f, 'E', 'L', 'F', 0, 1});
    ENAS_REQUIRE_THROWS(data::load_ptb(tmp.path), FormatError,
                        Contains("ptb.train.txt") && Contains("line 2") && Contains("not a text file"));
}

TEST_CASE("batchify cuts the stream into equal rows and drops the tail", "[data]") {
    std::vector<std::int32_t> s(23);
    for (int i = 0; i < 23; ++i) s[static_cast<std::size_t>(i)] = i;
    const data::TokenRows r = data::batchify(s, 4);
    REQUIRE((r.batch == 4 && r.length == 5 && r.ids.size() == 20u));
    REQUIRE(r.at(0, 0) == 0);
    REQUIRE(r.at(1, 0) == 5);
    REQUIRE(r.at(3, 4) == 19);
    ENAS_REQUIRE_THROWS(data::batchify(s, 12), ValueError, Contains("too few"));
    ENAS_REQUIRE_THROWS(data::batchify(s, 0), ValueError, Contains(">= 1"));
}

TEST_CASE("BPTT windows: fixed lengths, enas_lm's random lengths, resumable", "[data]") {
    data::BpttOptions fixed;
    fixed.random_length = false;
    data::BpttWindows w(100, fixed, 1);
    const data::BpttWindow a = w.next(0);
    REQUIRE((a.start == 0 && a.length == 35 && a.lr_scale == 1.0));
    REQUIRE(w.next(70).length == 29);  // clipped: the last target is column 99
    ENAS_REQUIRE_THROWS(w.next(99), ValueError, Contains("outside"));

    data::BpttWindows r(1000000, data::BpttOptions{}, 7);
    std::map<std::int64_t, int> hist;
    double sum = 0;
    const int n = 20000;
    int short_ones = 0;
    for (int i = 0; i < n; ++i) {
        const data::BpttWindow x = r.next(0);
        REQUIRE((x.length >= 1 && x.length <= 55));
        REQUIRE(x.lr_scale == Approx(x.length / 35.0));
        sum += static_cast<double>(x.length);
        short_ones += x.length <= 27;  // base 17.5 + 2 sigma
        ++hist[x.length];
    }
    // mean of int(base + 5 z), z truncated at 2: 0.95 * 35 + 0.05 * 17.5 = 34.125, minus ~0.5 for the cut
    REQUIRE(sum / n == Approx(33.6).margin(0.4));
    REQUIRE(short_ones > n * 0.04);       // the half-length draws (5%) and the low tail
    REQUIRE(hist.rbegin()->first <= 45);  // 35 + 2 sigma
    REQUIRE(hist.begin()->first >= 7);    // 17.5 - 2 sigma

    // Restoring the counter replays the same lengths.
    data::BpttWindows p(1000, data::BpttOptions{}, 3), q(1000, data::BpttOptions{}, 3);
    for (int i = 0; i < 5; ++i) p.next(0);
    q.set_counter(p.counter());
    for (int i = 0; i < 10; ++i) REQUIRE(p.next(0).length == q.next(0).length);
}
