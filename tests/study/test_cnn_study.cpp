// The study's run reading and retraining settings (study/cnn_study.hpp): which folders are refused
// and with what message, and how a retraining's config is resolved from the search run's.
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "enas/study/cnn_study.hpp"

using namespace enas;
namespace fs = std::filesystem;

namespace {
fs::path fresh_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("enas_test_cnn_study_" + std::to_string(::getpid())) / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

void write(const fs::path& file, const nlohmann::json& j) { std::ofstream(file) << j.dump(); }

nlohmann::json search_run_config() {
    train::CnnConfig c = train::CnnConfig::preset_for(train::CnnSpace::micro, search::ChildMode::search, "quick");
    c.dataset = "fashion-mnist";
    nlohmann::json j = c.to_json();
    j["search"] = train::SearchConfig::preset_for(c.space, c.preset).to_json();
    j["search"]["policy"] = "random";
    return j;
}
}  // namespace

TEST_CASE("read_search_run refuses what is no CNN search run, naming the folder", "[study]") {
    const fs::path empty = fresh_dir("empty");
    CHECK_THROWS_WITH(study::read_search_run(empty), Catch::Contains("is no search run folder: it has no config.json"));
    const fs::path train_run = fresh_dir("train_run");
    write(train_run / "config.json", train::CnnConfig{}.to_json());
    CHECK_THROWS_WITH(study::read_search_run(train_run), Catch::Contains("has no \"search\" section"));
    const fs::path rnn = fresh_dir("rnn");
    nlohmann::json j = search_run_config();
    j["space"] = "rnn";
    write(rnn / "config.json", j);
    CHECK_THROWS_WITH(study::read_search_run(rnn), Catch::Contains("the 'rnn' space") && Catch::Contains(rnn.string()));
    CHECK_THROWS_WITH(study::read_search_run(empty / "missing"), Catch::Contains("is no folder"));
}

TEST_CASE("a search run is read with its settings, and refused without a checkpoint", "[study]") {
    const fs::path dir = fresh_dir("search");
    write(dir / "config.json", search_run_config());
    const study::SearchRun run = study::read_search_run(dir);
    CHECK(run.cnn.space == train::CnnSpace::micro);
    CHECK(run.cnn.dataset == "fashion-mnist");
    CHECK(run.search.policy == "random");
    CHECK_THROWS_WITH(study::check_study_source(run, 3, study::ArchSource::policy),
                      Catch::Contains("has no checkpoint"));
}

TEST_CASE("a retraining takes the final preset, the run's data selection, then the flags", "[study]") {
    train::CnnConfig run = train::CnnConfig::preset_for(train::CnnSpace::micro, search::ChildMode::search, "quick");
    run.dataset = "fashion-mnist";
    run.data_dir = "/data/fm";
    run.train_limit = 700;
    run.test_limit = 200;
    run.num_valid = 100;
    run.seed = 7;
    run.nodes = 4;
    run.filters = 8;
    const train::CnnConfig final_preset =
        train::CnnConfig::preset_for(train::CnnSpace::micro, search::ChildMode::final, "quick");
    const train::CnnConfig c = study::retrain_config(run, [](train::CnnConfig& r) { r.epochs = 2; });
    CHECK(c.mode == search::ChildMode::final);
    CHECK(c.preset == "quick");
    CHECK(c.dataset == "fashion-mnist");
    CHECK(c.data_dir == "/data/fm");
    CHECK(c.train_limit == 700);
    CHECK(c.test_limit == 200);
    CHECK(c.seed == 7);
    CHECK(c.nodes == 4);
    CHECK(c.num_valid == final_preset.num_valid);  // the search's hold-out is not the retraining's
    CHECK(c.filters == final_preset.filters);      // sizes are the final preset's unless given
    CHECK(c.layers == final_preset.layers);
    CHECK(c.epochs == 2);
    CHECK(c.lr_t0 == 2);  // quick: one cosine over the epochs given, as cifar_train
    CHECK_THROWS_AS(study::retrain_config(run, [](train::CnnConfig& r) { r.filters = 0; }), ValueError);
}
