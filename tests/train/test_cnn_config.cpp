// The config field tables (core/config_fields.hpp) of CnnConfig and SearchConfig: the JSON form
// keeps the keys and values config.json had before the tables (resume compares it), reads back
// to the same settings, and every flag and key is unique.
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "enas/train/search_config.hpp"

using namespace enas;
using namespace enas::train;

namespace {
// The JSON form as it was written by hand before the field table (HEAD 599735f).
nlohmann::json hand_written_json(const CnnConfig& c) {
    return {{"space", enas::search::space_name(c.space)},
            {"mode", c.mode == search::ChildMode::final ? "final" : "search"},
            {"preset", c.preset},
            {"dataset", c.dataset},
            {"data_dir", c.data_dir},
            {"seed", c.seed},
            {"layers", c.layers},
            {"nodes", c.nodes},
            {"filters", c.filters},
            {"batch", c.batch},
            {"eval_batch", c.eval_batch},
            {"epochs", c.epochs},
            {"num_valid", c.num_valid},
            {"train_limit", c.train_limit},
            {"test_limit", c.test_limit},
            {"lr_max", c.lr_max},
            {"lr_min", c.lr_min},
            {"lr_t0", c.lr_t0},
            {"lr_t_mul", c.lr_t_mul},
            {"l2", c.l2},
            {"clip_global_norm", c.clip_global_norm},
            {"keep_prob", c.keep_prob},
            {"cutout", c.cutout},
            {"aux_head", c.aux_head},
            {"aux_weight", c.aux_weight},
            {"drop_path_keep_prob", c.drop_path_keep_prob},
            {"authors_last_branch", c.authors_last_branch},
            {"authors_full_separable", c.authors_full_separable},
            {"authors_frozen_aux", c.authors_frozen_aux},
            {"authors_bank_init", c.authors_bank_init},
            {"authors_search_eval", c.authors_search_eval},
            {"macro_batch_stat_eval", c.macro_batch_stat_eval}};
}

template <class S>
void check_unique_keys_and_flags() {
    std::set<std::string> keys, flags;
    for_each_field<S>([&](const auto& field) {
        if (field.has_json()) CHECK(keys.insert(field.key).second);
        if (field.has_flag()) CHECK(flags.insert(field.flag).second);
    });
}
}  // namespace

TEST_CASE("CnnConfig JSON: the keys and values of the hand-written form, and a round trip", "[train]") {
    for (auto space : {CnnSpace::macro, CnnSpace::micro})
        for (auto mode : {search::ChildMode::search, search::ChildMode::final})
            for (const char* preset : {"quick", "scripts", "paper"}) {
                CnnConfig c = CnnConfig::preset_for(space, mode, preset);
                c.data_dir = "/data";
                c.seed = 0xFFFFFFFFFFull;
                c.authors_bank_init = true;
                const nlohmann::json j = c.to_json();
                nlohmann::json old = hand_written_json(c);
                for (auto it = j.begin(); it != j.end(); ++it)  // options added after the table
                    if (!old.contains(it.key())) old[it.key()] = it.value();
                CHECK(j == old);
                CHECK(j.size() >= 32);
                CHECK(CnnConfig::from_json(j).to_json() == j);
            }
}

TEST_CASE("SearchConfig JSON: the keys of the hand-written form, and a round trip", "[train]") {
    SearchConfig s = SearchConfig::preset_for(CnnSpace::micro, "quick");
    s.controller_init = "x.state";
    s.controller_start_epoch = 7;
    const nlohmann::json old = {{"policy", s.policy},
                                {"controller_start_epoch", s.controller_start_epoch},
                                {"train_steps", s.train_steps},
                                {"num_aggregate", s.num_aggregate},
                                {"controller_lr", s.controller_lr},
                                {"reward_batch", s.reward_batch},
                                {"eval_archs", s.eval_archs},
                                {"derive_k", s.derive_k},
                                {"derive_batches", s.derive_batches},
                                {"controller_init", s.controller_init}};
    CHECK(s.to_json() == old);
    CHECK(SearchConfig::from_json(old).to_json() == old);
}

TEST_CASE("config tables: keys and flags are unique; bad JSON values throw", "[train]") {
    check_unique_keys_and_flags<CnnConfig>();
    check_unique_keys_and_flags<SearchConfig>();
    CHECK_THROWS_AS(CnnConfig::from_json({{"space", "nano"}}), ValueError);
    CHECK_THROWS(CnnConfig::from_json({{"layers", "six"}}));
    CHECK(CnnConfig::from_json({{"mode", "search"}}).mode == search::ChildMode::search);
}

TEST_CASE("--preset paper: CutOut 16 for micro final training only", "[train]") {
    CHECK(CnnConfig::preset_for(CnnSpace::micro, search::ChildMode::final, "paper").cutout == 16);
    CHECK(CnnConfig::preset_for(CnnSpace::micro, search::ChildMode::search, "paper").cutout == 0);
    CHECK(CnnConfig::preset_for(CnnSpace::macro, search::ChildMode::final, "paper").cutout == 0);
    CHECK(CnnConfig::preset_for(CnnSpace::micro, search::ChildMode::final, "scripts").cutout == 0);
}
