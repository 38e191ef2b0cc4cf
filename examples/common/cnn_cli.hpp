// Command-line conventions shared by cifar_train and cifar_search: the flags that pick the data,
// the space, the preset and the sizes (a flag given overrides the preset's value), reading an
// architecture given as a string, a file (flat string or JSON) or the word "released", and the
// run-folder / resume handling.
#pragma once
#include <CLI/CLI.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "enas/search/arch_json.hpp"
#include "enas/train/cnn_config.hpp"
#include "enas/run/run_folder.hpp"

namespace enas_cli {

/// The flags shared by the CNN binaries; optional ones override the preset when given.
struct CnnFlags {
    std::string dataset = "cifar10";
    std::string data_dir;
    std::string space = "macro";
    std::string preset = "quick";
    std::string device = "cpu";
    std::string out;
    bool resume = false, force = false;
    std::optional<std::int64_t> epochs, train_limit, test_limit, num_valid;
    std::optional<int> batch, layers, nodes, filters, cutout, log_every;
    std::optional<double> lr_max, lr_min, l2, keep_prob, clip;
    std::optional<std::uint64_t> seed;
    bool no_aux = false;
    bool authors_full_separable = false, authors_frozen_aux = false, authors_last_branch = false;
    bool authors_bank_init = false, corrected_search_eval = false, batch_stat_eval = false;

    void add_to(CLI::App& app) {
        app.add_option("--dataset", dataset, "cifar10 | cifar100 | fashion-mnist")
            ->check(CLI::IsMember({"cifar10", "cifar100", "fashion-mnist"}))
            ->capture_default_str();
        app.add_option("--data", data_dir,
                       "dataset folder (default for fashion-mnist: Debian's "
                       "/usr/share/datasets/fashion-mnist)");
        app.add_option("--space", space, "macro | micro")
            ->check(CLI::IsMember({"macro", "micro"}))
            ->capture_default_str();
        app.add_option("--preset", preset,
                       "quick (minutes on a CPU) | scripts (the authors' scripts) | paper "
                       "(scripts + CutOut 16 for micro)")
            ->check(CLI::IsMember({"quick", "scripts", "paper"}))
            ->capture_default_str();
        app.add_option("--device", device, "cpu | cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
        app.add_option("--out", out, "run folder (default: runs/<program>-<space>-<time>)");
        app.add_flag("--resume", resume, "continue the interrupted run in --out from its newest valid checkpoint");
        app.add_flag("--force", force, "delete an existing run in --out and start over");
        app.add_option("--epochs", epochs, "epochs (preset)");
        app.add_option("--batch", batch, "batch size (preset)");
        app.add_option("--layers", layers, "macro: layers L; micro: normal cells (preset)");
        app.add_option("--nodes", nodes, "micro: nodes per cell B (search; final takes it from --arch)");
        app.add_option("--filters", filters, "filters F (preset)");
        app.add_option("--seed", seed, "random seed (default 1)");
        app.add_option("--train-limit", train_limit, "use only the first N training images (0: all)");
        app.add_option("--test-limit", test_limit, "evaluate on the first N test images (0: all)");
        app.add_option("--num-valid", num_valid, "hold out the last N training images as validation");
        app.add_option("--lr-max", lr_max, "SGDR maximum learning rate");
        app.add_option("--lr-min", lr_min, "SGDR minimum learning rate");
        app.add_option("--l2", l2, "L2 loss-term coefficient (PyTorch weight_decay = 2 x l2)");
        app.add_option("--keep-prob", keep_prob, "dropout keep probability before the classifier");
        app.add_option("--clip", clip, "global-norm gradient clipping (0: off, as the authors' code)");
        app.add_option("--cutout", cutout, "CutOut square size (0: off)");
        app.add_option("--log-every", log_every, "metrics line every N steps");
        app.add_flag("--no-aux", no_aux, "micro: no auxiliary head");
        app.add_flag("--authors-full-separable", authors_full_separable,
                     "macro final: build sep ops as full convs, as the authors' final code");
        app.add_flag("--authors-frozen-aux", authors_frozen_aux, "micro: never train the aux head, as the authors");
        app.add_flag("--authors-last-branch", authors_last_branch,
                     "macro search: always run the max-pool branch, as the released TF code");
        app.add_flag("--authors-bank-init", authors_bank_init, "micro search: the authors' weight-bank fan-in");
        app.add_flag("--batch-stat-eval", batch_stat_eval,
                     "macro search: evaluate with batch statistics (TDV) instead of the shared running statistics");
        app.add_flag("--corrected-search-eval", corrected_search_eval,
                     "micro search: evaluate with running statistics and no dropout (authors: batch statistics)");
    }

    /// The preset for the space and mode with every given flag applied.
    enas::train::CnnConfig config(enas::search::ChildMode mode) const {
        using enas::train::CnnConfig;
        CnnConfig c = CnnConfig::preset_for(enas::train::parse_cnn_space(space), mode, preset);
        c.dataset = dataset;
        c.data_dir = data_dir;
        if (epochs) c.epochs = *epochs;
        if (batch) c.batch = *batch;
        if (layers) c.layers = *layers;
        if (nodes) c.nodes = *nodes;
        if (filters) c.filters = *filters;
        if (seed) c.seed = *seed;
        if (train_limit) c.train_limit = *train_limit;
        if (test_limit) c.test_limit = *test_limit;
        if (num_valid) c.num_valid = *num_valid;
        if (lr_max) c.lr_max = *lr_max;
        if (lr_min) c.lr_min = *lr_min;
        if (l2) c.l2 = *l2;
        if (keep_prob) c.keep_prob = *keep_prob;
        if (clip) c.clip_global_norm = *clip;
        if (cutout) c.cutout = *cutout;
        if (log_every) c.log_every = *log_every;
        if (no_aux) c.aux_head = false;
        c.authors_full_separable = authors_full_separable;
        c.authors_frozen_aux = authors_frozen_aux;
        c.authors_last_branch = authors_last_branch;
        c.authors_bank_init = authors_bank_init;
        c.authors_search_eval = !corrected_search_eval;
        c.macro_batch_stat_eval = batch_stat_eval;
        if (c.lr_t0 > c.epochs && c.preset == "quick") c.lr_t0 = static_cast<int>(c.epochs);
        c.validate();
        return c;
    }

    /// --out, or runs/<program>-<space>-<YYYYmmdd-HHMMSS>.
    std::string out_dir(const std::string& program) const {
        if (!out.empty()) return out;
        const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
        return "runs/" + program + "-" + space + "-" + stamp;
    }
};

/// Opens the run folder: fresh (refuses an existing non-empty folder), --force, or --resume (the
/// saved config must equal this run's apart from the epoch count).
inline enas::run::RunFolder open_run(const CnnFlags& flags, const std::string& dir, const nlohmann::json& config) {
    using enas::run::RunFolderMode;
    enas::check<enas::ValueError>(!(flags.resume && flags.force), "--resume and --force exclude each other");
    const RunFolderMode mode = flags.resume  ? RunFolderMode::resume
                               : flags.force ? RunFolderMode::force
                                             : RunFolderMode::fresh;
    enas::run::RunFolder run(dir, mode);
    if (flags.resume && std::filesystem::exists(run.file(enas::run::RunFolder::kConfig))) {
        nlohmann::json saved = run.read_config(), now = config;
        saved.erase("epochs");
        now.erase("epochs");
        const auto diffs = enas::run::json_differences(saved, now);
        if (!diffs.empty()) {
            std::string text;
            for (const auto& d : diffs) text += "\n  " + d;
            throw enas::ValueError("--resume: the flags differ from the run's config.json (" +
                                   run.file(enas::run::RunFolder::kConfig).string() + "):" + text);
        }
    }
    run.write_config(config);
    return run;
}

/// The text of an --arch value: the file's content when it names a file, else the value itself.
inline std::string arch_text(const std::string& value) {
    std::error_code ec;  // a flat string is usually no valid path at all (too long): not a file
    if (value.empty() || !std::filesystem::is_regular_file(value, ec)) return value;
    std::ifstream in(value);
    enas::check<enas::IoError>(static_cast<bool>(in), "cannot read the architecture file ", value);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline bool is_json_text(const std::string& text) {
    const auto p = text.find_first_not_of(" \t\r\n");
    return p != std::string::npos && text[p] == '{';
}

}  // namespace enas_cli
