// The settings of a CNN run (final training or search) in one plain struct, with the presets
// (`quick`: minutes on two CPU cores; `scripts`: the authors' shell scripts, reference §3.5,
// §4.5, §7.1; `paper`: the scripts plus CutOut 16 for micro, §9 #17) and a JSON form that is
// written to config.json and compared on --resume.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "enas/core/error.hpp"
#include "enas/search/param_count.hpp"

namespace enas::train {

enum class CnnSpace { macro, micro };

inline const char* cnn_space_name(CnnSpace s) { return s == CnnSpace::macro ? "macro" : "micro"; }
inline CnnSpace parse_cnn_space(const std::string& s) {
    if (s == "macro") return CnnSpace::macro;
    if (s == "micro") return CnnSpace::micro;
    throw ValueError("unknown space '" + s + "' (expected macro or micro)");
}

struct CnnConfig {
    // what and where
    CnnSpace space = CnnSpace::macro;
    search::ChildMode mode = search::ChildMode::final;
    std::string preset = "quick";
    std::string dataset = "cifar10";
    std::string data_dir;  ///< empty: the dataset's default location
    std::uint64_t seed = 1;
    // sizes
    int layers = 6;  ///< macro: L; micro: normal cells (num_layers)
    int nodes = 5;   ///< micro: B
    int filters = 16;
    int batch = 64;
    int eval_batch = 100;
    std::int64_t epochs = 3;
    std::int64_t num_valid = 0;    ///< last images of the training split held out (search: 5000)
    std::int64_t train_limit = 0;  ///< use only the first N training images (0: all)
    std::int64_t test_limit = 0;   ///< evaluate on the first N test images (0: all)
    // child optimisation (reference §7.1)
    double lr_max = 0.05, lr_min = 0.001;
    int lr_t0 = 10, lr_t_mul = 2;
    double l2 = 2e-4;
    double clip_global_norm = 0;
    double keep_prob = 0.9;
    int cutout = 0;
    bool aux_head = true;  ///< micro only
    double aux_weight = 0.4;
    double drop_path_keep_prob = 0.6;  ///< micro final only
    // the authors' behaviours (reference §9), off by default
    bool authors_last_branch = false;     ///< #1 macro search always runs max pool
    bool authors_full_separable = false;  ///< #5 macro final builds sep ops as full convs
    bool authors_frozen_aux = false;      ///< #7 micro aux head never trained
    bool authors_bank_init = false;       ///< #10 micro search bank fan-in
    bool authors_search_eval = true;      ///< #8 micro search evaluates with batch statistics and dropout
    bool macro_batch_stat_eval = false;   ///< macro search evaluates with batch statistics (authors: running)
    int log_every = 20;

    /// The preset `name` (quick | scripts | paper) for `space` in `mode`; ValueError otherwise.
    static CnnConfig preset_for(CnnSpace space, search::ChildMode mode, const std::string& name) {
        check<ValueError>(name == "quick" || name == "scripts" || name == "paper", "unknown preset '", name,
                          "' (expected quick, scripts or paper)");
        CnnConfig c;
        c.space = space;
        c.mode = mode;
        c.preset = name;
        const bool search_mode = mode == search::ChildMode::search;
        if (name == "quick") {
            c.layers = space == CnnSpace::macro ? 6 : 3;
            c.filters = space == CnnSpace::macro ? 16 : 12;
            c.batch = 64;
            c.epochs = search_mode ? 6 : 5;
            c.lr_t0 = static_cast<int>(c.epochs);  // one cosine over the short run
            c.l2 = search_mode ? 1e-4 : 2e-4;
            c.keep_prob = 0.9;
            c.drop_path_keep_prob = 0.8;
            c.num_valid = search_mode ? 1000 : 0;
            c.train_limit = search_mode ? 8000 : 10000;
            c.test_limit = 2000;
            c.lr_min = 0.001;
            return c;
        }
        // scripts and paper
        c.train_limit = 0;
        c.test_limit = 0;
        c.num_valid = search_mode ? 5000 : 0;
        if (space == CnnSpace::macro) {
            c.layers = search_mode ? 12 : 24;
            c.filters = search_mode ? 36 : 96;
            c.batch = search_mode ? 128 : 100;
            c.epochs = 310;
            c.l2 = search_mode ? 2.5e-4 : 2e-4;
            c.keep_prob = search_mode ? 0.9 : 0.5;
            c.lr_min = search_mode ? 0.0005 : 0.001;
        } else {
            c.layers = search_mode ? 6 : 15;
            c.filters = search_mode ? 20 : 36;
            c.batch = search_mode ? 160 : 144;
            c.epochs = search_mode ? 150 : 630;
            c.l2 = search_mode ? 1e-4 : 2e-4;
            c.keep_prob = search_mode ? 0.9 : 0.8;
            c.lr_min = search_mode ? 0.0005 : 0.0001;
            if (name == "paper") c.cutout = 16;
        }
        return c;
    }

    nlohmann::json to_json() const {
        return {{"space", cnn_space_name(space)},
                {"mode", mode == search::ChildMode::final ? "final" : "search"},
                {"preset", preset},
                {"dataset", dataset},
                {"data_dir", data_dir},
                {"seed", seed},
                {"layers", layers},
                {"nodes", nodes},
                {"filters", filters},
                {"batch", batch},
                {"eval_batch", eval_batch},
                {"epochs", epochs},
                {"num_valid", num_valid},
                {"train_limit", train_limit},
                {"test_limit", test_limit},
                {"lr_max", lr_max},
                {"lr_min", lr_min},
                {"lr_t0", lr_t0},
                {"lr_t_mul", lr_t_mul},
                {"l2", l2},
                {"clip_global_norm", clip_global_norm},
                {"keep_prob", keep_prob},
                {"cutout", cutout},
                {"aux_head", aux_head},
                {"aux_weight", aux_weight},
                {"drop_path_keep_prob", drop_path_keep_prob},
                {"authors_last_branch", authors_last_branch},
                {"authors_full_separable", authors_full_separable},
                {"authors_frozen_aux", authors_frozen_aux},
                {"authors_bank_init", authors_bank_init},
                {"authors_search_eval", authors_search_eval},
                {"macro_batch_stat_eval", macro_batch_stat_eval}};
    }

    /// Throws ValueError naming the first setting out of range.
    void validate() const {
        check<ValueError>(layers >= 1 || (space == CnnSpace::micro && layers >= 0), "layers must be >= 1, got ",
                          layers);
        check<ValueError>(nodes >= 1, "nodes must be >= 1, got ", nodes);
        check<ValueError>(filters >= 2 && filters % 2 == 0, "filters must be even and >= 2, got ", filters);
        check<ValueError>(batch >= 1 && eval_batch >= 1, "batch and eval batch must be >= 1, got ", batch, " and ",
                          eval_batch);
        check<ValueError>(epochs >= 1, "epochs must be >= 1, got ", epochs);
        check<ValueError>(num_valid >= 0 && train_limit >= 0 && test_limit >= 0,
                          "num_valid, train_limit and test_limit must be >= 0");
        check<ValueError>(lr_max > 0 && lr_min >= 0 && lr_min <= lr_max,
                          "learning rates must satisfy 0 <= lr_min <= "
                          "lr_max, lr_max > 0; got ",
                          lr_min, " and ", lr_max);
        check<ValueError>(lr_t0 >= 1 && lr_t_mul >= 1, "lr_t0 and lr_t_mul must be >= 1");
        check<ValueError>(l2 >= 0 && clip_global_norm >= 0, "l2 and clip must be >= 0");
        check<ValueError>(keep_prob > 0 && keep_prob <= 1, "keep_prob must be in (0, 1], got ", keep_prob);
        check<ValueError>(drop_path_keep_prob > 0 && drop_path_keep_prob <= 1,
                          "drop_path_keep_prob must be in (0, 1], got ", drop_path_keep_prob);
        check<ValueError>(cutout >= 0, "cutout must be >= 0, got ", cutout);
    }
};

}  // namespace enas::train
