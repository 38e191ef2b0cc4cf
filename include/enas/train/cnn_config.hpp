// The settings of a CNN run (final training or search) in one plain struct,
// with the presets
// (`quick`: minutes on two CPU cores; `scripts`: the authors' shell scripts,
// reference §3.5, §4.5, §7.1; `paper`: the scripts plus the paper's controller
// (search_config.hpp) and CutOut 16 for micro final training, §9 #17) and a JSON form that is written to config.json
// and compared on --resume. Each setting is declared once in the field table
// (`fields()`, core/config_fields.hpp), which drives the JSON form and the
// command line (examples/common/cnn_cli.hpp): a new setting is a member with
// its default, one row, and its use.
#pragma once
#include <cstdint>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "enas/core/config_fields.hpp"
#include "enas/core/error.hpp"
#include "enas/search/child_options.hpp"
#include "enas/search/space.hpp"

namespace enas::train {

/// The CNN spaces are the macro and micro values of the one space enum
/// (search/space.hpp).
using CnnSpace = search::SearchSpace;

inline const char* cnn_space_name(CnnSpace s) { return search::space_name(s); }
/// The space named `s`, which must be a CNN space (macro or micro); ValueError
/// otherwise.
inline CnnSpace parse_cnn_space(const std::string& s) {
    check<ValueError>(s == "macro" || s == "micro", "unknown space '", s, "' (expected macro or micro)");
    return search::space_from_name(s);
}

struct CnnConfig {
    // what and where
    CnnSpace space = CnnSpace::macro;
    search::ChildMode mode = search::ChildMode::final;
    std::string preset = "quick";
    std::string dataset = "cifar10";
    std::string data_dir;         ///< empty: the dataset's default location
    std::int64_t image_size = 0;  ///< folder: resize the images to N x N (0: their own size)
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
    bool macro_batch_stat_eval = false;   ///< macro search evaluates with batch
                                          ///< statistics (authors: running)
    bool authors_decay_all = false;       ///< L2 and momentum on every weight every step (reference §7.1)
    bool authors_depthwise_init = false;  ///< depthwise He fan-in k*k*C (Keras) instead of k*k
    bool biased_running_var = false;      ///< BN running variance divided by M
                                          ///< (default: M - 1, the authors')
    int log_every = 20;

    /// The preset `name` (quick | scripts | paper) for `space` in `mode`;
    /// ValueError otherwise.
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
            if (name == "paper" && !search_mode) c.cutout = 16;  // the paper's final run; its search has none
        }
        return c;
    }

    /// The table of settings (core/config_fields.hpp): JSON key, flag, help,
    /// member. Its order is the --help order of cifar_search and cifar_train.
    /// `selection_fields` pick the preset and the data (the command line
    /// registers them first); `setting_fields` override the preset.
    static constexpr auto selection_fields() {
        using C = CnnConfig;
        return std::tuple{
            option("dataset", &C::dataset, "--dataset",
                   "cifar10 | cifar100 | fashion-mnist | folder (DIR/train/<class>/*)",
                   "cifar10|cifar100|fashion-mnist|folder"),
            option("data_dir", &C::data_dir, "--data",
                   "dataset folder (default for fashion-mnist: Debian's "
                   "/usr/share/datasets/fashion-mnist)"),
            option("image_size", &C::image_size, "--image-size",
                   "folder: resize every image to N x N (default: the images' own size when all agree)"),
            option("space", &C::space, "--space", "macro | micro", "macro|micro"),
            option("preset", &C::preset, "--preset",
                   "quick (minutes on a CPU) | scripts (the authors' scripts) | "
                   "paper (scripts + the paper's controller + CutOut 16 for micro final training)",
                   "quick|scripts|paper"),
            json_only("mode", &C::mode),
        };
    }
    static constexpr auto setting_fields() {
        using C = CnnConfig;
        return std::tuple{
            option("epochs", &C::epochs, "--epochs", "epochs (preset)"),
            option("batch", &C::batch, "--batch", "batch size (preset)"),
            option("layers", &C::layers, "--layers", "macro: layers L; micro: normal cells (preset)"),
            option("nodes", &C::nodes, "--nodes", "micro: nodes per cell B (search; final takes it from --arch)"),
            option("filters", &C::filters, "--filters", "filters F (preset)"),
            option("seed", &C::seed, "--seed", "random seed (default 1)"),
            option("train_limit", &C::train_limit, "--train-limit", "use only the first N training images (0: all)"),
            option("test_limit", &C::test_limit, "--test-limit", "evaluate on the first N test images (0: all)"),
            option("num_valid", &C::num_valid, "--num-valid", "hold out the last N training images as validation"),
            option("lr_max", &C::lr_max, "--lr-max", "SGDR maximum learning rate"),
            option("lr_min", &C::lr_min, "--lr-min", "SGDR minimum learning rate"),
            option("l2", &C::l2, "--l2", "L2 loss-term coefficient (PyTorch weight_decay = 2 x l2)"),
            option("keep_prob", &C::keep_prob, "--keep-prob", "dropout keep probability before the classifier"),
            option("clip_global_norm", &C::clip_global_norm, "--clip",
                   "global-norm gradient clipping (0: off, as the authors' code)"),
            option("cutout", &C::cutout, "--cutout", "CutOut square size (0: off)"),
            option(nullptr, &C::log_every, "--log-every",
                   "metrics line every N steps"),  // not compared on resume
            switch_off("aux_head", &C::aux_head, "--no-aux", "micro: no auxiliary head"),
            switch_on("authors_full_separable", &C::authors_full_separable, "--authors-full-separable",
                      "macro final: build sep ops as full convs, as the authors' "
                      "final code"),
            switch_on("authors_frozen_aux", &C::authors_frozen_aux, "--authors-frozen-aux",
                      "micro: never train the aux head, as the authors"),
            switch_on("authors_last_branch", &C::authors_last_branch, "--authors-last-branch",
                      "macro search: always run the max-pool branch, as the "
                      "released TF code"),
            switch_on("authors_bank_init", &C::authors_bank_init, "--authors-bank-init",
                      "micro search: the authors' weight-bank fan-in"),
            switch_on("macro_batch_stat_eval", &C::macro_batch_stat_eval, "--batch-stat-eval",
                      "macro search: evaluate with batch statistics (TDV) instead "
                      "of the shared running statistics"),
            switch_off("authors_search_eval", &C::authors_search_eval, "--corrected-search-eval",
                       "micro search: evaluate with running statistics and no "
                       "dropout (authors: batch statistics)"),
            switch_on("authors_decay_all", &C::authors_decay_all, "--authors-decay-all",
                      "child optimiser: weight decay and momentum on every weight "
                      "every step, as the authors' TF "
                      "code (default: only on the weights the step used)"),
            switch_on("authors_depthwise_init", &C::authors_depthwise_init, "--authors-depthwise-init",
                      "depthwise weights: He init with fan-in k*k*C, as the "
                      "authors' Keras he_normal (default: k*k, "
                      "PyTorch's)"),
            switch_on("biased_running_var", &C::biased_running_var, "--biased-running-var",
                      "batch norm: running variance without Bessel's correction "
                      "(default: M/(M-1), as the authors' "
                      "tf.nn.fused_batch_norm)"),
            json_only("eval_batch", &C::eval_batch),
            json_only("lr_t0", &C::lr_t0),
            json_only("lr_t_mul", &C::lr_t_mul),
            json_only("aux_weight", &C::aux_weight),
            json_only("drop_path_keep_prob", &C::drop_path_keep_prob),
        };
    }
    static constexpr auto fields() { return std::tuple_cat(selection_fields(), setting_fields()); }

    /// The JSON form (config.json, compared on --resume): every field with a key.
    nlohmann::json to_json() const { return fields_to_json(*this); }
    /// The settings of a JSON form; keys it lacks keep their default.
    static CnnConfig from_json(const nlohmann::json& j) {
        CnnConfig c;
        fields_from_json(j, c);
        return c;
    }

    /// Throws ValueError naming the first setting out of range.
    void validate() const {
        check<ValueError>(space == CnnSpace::macro || space == CnnSpace::micro, "space must be macro or micro, got ",
                          search::space_name(space));
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
