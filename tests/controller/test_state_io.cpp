// Controller state files: a save/load round trip continues the search exactly (same samples, same
// updates), states transfer to a controller of another depth, and damaged files fail with an
// error that names the file.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "enas/controller/controllers.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::controller;

namespace {

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("enas_ctrl_" + std::to_string(::getpid()) + "_" + name)).string();
}

std::vector<char> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::vector<char>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// Trains a few updates, stopping in the middle of an aggregation group.
template <class Controller>
void train(Controller& c, int samples) {
    for (int i = 0; i < samples; ++i) c.update(c.sample(), 0.1 * (i % 7));
}

}  // namespace

TEST_CASE("save and load round trip: the loaded controller continues identically", "[controller]") {
    const std::string path = temp_path("roundtrip.state");
    MacroControllerConfig c;
    c.num_layers = 6;
    c.reinforce.num_aggregate = 4;
    MacroController original(c, 1);
    train(original, 10);  // 2 Adam steps and 2 pending samples
    REQUIRE(original.step() == 2);
    original.save(path);
    REQUIRE_FALSE(std::filesystem::exists(path + ".tmp"));

    MacroController restored(c, 999);  // another seed: other weights and another RNG stream
    restored.load(path);
    REQUIRE(restored.step() == 2);
    REQUIRE(restored.baseline() == original.baseline());
    REQUIRE(restored.reinforce_state().pending == 2);
    REQUIRE(restored.parameters().values().to_vector() == original.parameters().values().to_vector());
    REQUIRE(restored.parameters().adam_v().to_vector() == original.parameters().adam_v().to_vector());
    for (int i = 0; i < 12; ++i) {
        const Sample a = original.sample(), b = restored.sample();
        REQUIRE(a.tokens == b.tokens);
        REQUIRE(a.log_prob == b.log_prob);
        const UpdateResult ra = original.update(a, 0.3), rb = restored.update(b, 0.3);
        REQUIRE(ra.applied == rb.applied);
        REQUIRE(ra.loss == rb.loss);
    }
    REQUIRE(restored.parameters().values().to_vector() == original.parameters().values().to_vector());

    // Every space round-trips, RandomSearch included.
    MicroController micro({}, 3);
    train(micro, 3);
    micro.save(path);
    MicroController micro2({}, 4);
    micro2.load(path);
    REQUIRE(micro.sample().tokens == micro2.sample().tokens);
    RnnController lm({}, 3);
    lm.save(path);
    RnnController lm2({}, 4);
    lm2.load(path);
    REQUIRE(lm.sample().tokens == lm2.sample().tokens);
    RandomSearch random(MicroControllerConfig{}, 5);
    random.update(random.sample(), 0.7);
    random.save(path);
    RandomSearch random2(MicroControllerConfig{}, 6);
    random2.load(path);
    REQUIRE(random2.baseline() == random.baseline());
    REQUIRE(random.sample().tokens == random2.sample().tokens);
    std::filesystem::remove(path);
}

TEST_CASE("controller transfer: a state loads into a controller of another depth", "[controller]") {
    const std::string path = temp_path("transfer.state");
    MacroControllerConfig small;
    small.num_layers = 4;
    MacroController trained(small, 1);
    train(trained, 40);
    trained.save(path);
    MacroControllerConfig deep;  // L = 12: the parameter shapes do not depend on L
    MacroController target(deep, 2);
    target.load(path);
    REQUIRE(target.parameters().values().to_vector() == trained.parameters().values().to_vector());
    REQUIRE(target.sample().tokens.size() == 78);
    std::filesystem::remove(path);
}

TEST_CASE("damaged or mismatched state files fail with the file named", "[controller]") {
    const std::string path = temp_path("damaged.state");
    MacroControllerConfig c;
    c.num_layers = 3;
    MacroController macro(c, 1);
    train(macro, 5);
    macro.save(path);
    const std::vector<char> good = read_bytes(path);
    const std::vector<float> before = macro.parameters().values().to_vector();

    SECTION("missing file") {
        ENAS_REQUIRE_THROWS(macro.load(path + ".missing"), IoError, Catch::Contains(path + ".missing"));
    }
    SECTION("truncated anywhere") {
        for (std::size_t keep : {std::size_t{0}, std::size_t{5}, std::size_t{8}, std::size_t{30}, good.size() / 2,
                                 good.size() - 9, good.size() - 1}) {
            INFO("kept " << keep << " of " << good.size() << " bytes");
            write_bytes(path, std::vector<char>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(keep)));
            REQUIRE_THROWS_AS(macro.load(path), FormatError);
            REQUIRE_THROWS_WITH(macro.load(path), Catch::Contains(path));
        }
        write_bytes(path, std::vector<char>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2)));
        ENAS_REQUIRE_THROWS(macro.load(path), FormatError, Catch::Contains("truncated"));
    }
    SECTION("a flipped byte") {
        std::vector<char> bad = good;
        bad[bad.size() / 2] ^= 0x10;
        write_bytes(path, bad);
        ENAS_REQUIRE_THROWS(macro.load(path), FormatError, Catch::Contains("checksum mismatch"));
    }
    SECTION("not a state file") {
        write_bytes(path, std::vector<char>{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', '!', '!', '!',
                                            '!', '!'});
        ENAS_REQUIRE_THROWS(macro.load(path), FormatError, Catch::Contains("bad magic"));
    }
    SECTION("another space or another hidden size") {
        MicroController micro({}, 1);
        ENAS_REQUIRE_THROWS(micro.load(path), FormatError, Catch::Contains("holds a 'macro' controller state"));
        MacroControllerConfig wide = c;
        wide.hidden_size = 100;
        MacroController other(wide, 1);
        ENAS_REQUIRE_THROWS(other.load(path), FormatError, Catch::Contains("parameter 'w_lstm' has shape [128, 256]"));
    }
    // A failed load leaves the controller untouched.
    REQUIRE(macro.parameters().values().to_vector() == before);
    SECTION("unwritable destination") {
        ENAS_REQUIRE_THROWS(macro.save("/nonexistent-dir/x.state"), IoError,
                            Catch::Contains("/nonexistent-dir/x.state"));
    }
    std::filesystem::remove(path);
}
