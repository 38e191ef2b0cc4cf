// The pieces of a study of CNN search runs (docs/study.md), built from the search and final-training
// code the binaries use: reading a search run folder, drawing architectures from its final policy
// state or its derive candidates, scoring each with the run's shared weights (its last checkpoint)
// on the whole validation split, and retraining one architecture from scratch as a cifar_train run
// folder (FinalTraining), resumable and skipped when complete. The recurrent space is not covered.
#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "enas/controller/controllers.hpp"
#include "enas/core/context.hpp"
#include "enas/core/error.hpp"
#include "enas/data/image_folder_preprocess.hpp"
#include "enas/run/checkpoint_set.hpp"
#include "enas/run/progress.hpp"
#include "enas/run/run_folder.hpp"
#include "enas/run/run_state.hpp"
#include "enas/search/space.hpp"
#include "enas/study/report.hpp"
#include "enas/train/cnn_task.hpp"
#include "enas/train/final_training.hpp"
#include "enas/train/search_config.hpp"

namespace enas::study {

/// A CNN search run folder (cifar_search's) as a study reads it.
struct SearchRun {
    std::filesystem::path dir;
    train::CnnConfig cnn;
    train::SearchConfig search;
};

/// Reads `dir`/config.json. ValueError naming the folder when it is no search run (no config.json,
/// no "search" section: e.g. a cifar_train run) or not a CNN one (a ptb_search run).
inline SearchRun read_search_run(const std::filesystem::path& dir) {
    std::error_code ec;
    check<ValueError>(std::filesystem::is_directory(dir, ec), "'", dir.string(), "' is no folder");
    const std::filesystem::path file = dir / run::RunFolder::kConfig;
    check<ValueError>(std::filesystem::is_regular_file(file, ec), "'", dir.string(),
                      "' is no search run folder: it has no config.json");
    const nlohmann::json j = run::read_json_file(file);
    check<ValueError>(
        j.is_object() && j.contains("search"), "'", dir.string(),
        "' is no search run folder: its config.json has no \"search\" section (a cifar_train run or a study?)");
    const std::string space = j.value("space", "");
    check<ValueError>(space == "macro" || space == "micro", "'", dir.string(), "' is a search of the '", space,
                      "' space; enas_study handles the CNN spaces (macro, micro)");
    return {dir, train::CnnConfig::from_json(j), train::SearchConfig::from_json(j.at("search"))};
}

/// The settings of a retraining: the final-mode preset of the run's space and preset, with the run's
/// data selection (dataset, its folder, image size, train and test limits, seed) and micro B, then
/// `overrides` (the cifar_train flags given to the study). The architecture sets macro L itself.
inline train::CnnConfig retrain_config(const train::CnnConfig& run,
                                       const std::function<void(train::CnnConfig&)>& overrides) {
    train::CnnConfig c = train::CnnConfig::preset_for(run.space, search::ChildMode::final, run.preset);
    c.dataset = run.dataset;
    c.data_dir = run.data_dir;
    c.image_size = run.image_size;
    c.train_limit = run.train_limit;
    c.test_limit = run.test_limit;
    c.seed = run.seed;
    c.nodes = run.nodes;
    if (overrides) overrides(c);
    if (c.lr_t0 > c.epochs && c.preset == "quick") c.lr_t0 = static_cast<int>(c.epochs);  // as cifar_train
    c.validate();
    return c;
}

/// Where the study's architectures come from.
enum class ArchSource {
    policy,  ///< distinct stochastic samples of the policy state in the run's last checkpoint
    derive,  ///< the run's derive candidates (derive.json), best first
};

/// Checks, before any work, that `run` can give `k` architectures from `source`: it has an epoch
/// checkpoint (the shared weights and the policy), and for `derive` a derive.json with at least `k`
/// candidates. ValueError naming the folder otherwise.
inline void check_study_source(const SearchRun& run, int k, ArchSource source) {
    check<ValueError>(!run::CheckpointSet(run.dir / run::RunFolder::kCheckpoints).epochs().empty(), "search run '",
                      run.dir.string(), "' has no checkpoint (checkpoints/ckpt-*.bin): it has not finished an epoch");
    if (source != ArchSource::derive) return;
    const std::filesystem::path file = run.dir / "derive.json";
    std::error_code ec;
    check<ValueError>(std::filesystem::is_regular_file(file, ec), "search run '", run.dir.string(),
                      "' has no derive.json (its derive step did not run); use --archs policy");
    const std::size_t n = run::read_json_file(file).at("candidates").size();
    check<ValueError>(n >= static_cast<std::size_t>(k), "search run '", run.dir.string(), "' has ", n,
                      " derive candidates, fewer than --k ", k, " (use --archs policy, or a smaller --k)");
}

namespace detail {

template <class Arch>
Arch parse_arch(const std::string& text, int nodes) {
    if constexpr (std::is_same_v<Arch, search::MacroArch>)
        return search::MacroArch::parse(text);
    else
        return search::MicroArch::parse(text, nodes);
}

template <class ControllerConfig>
std::unique_ptr<controller::ArchitecturePolicy> make_policy(const ControllerConfig& cc, const std::string& policy,
                                                            std::uint64_t seed) {
    if (policy == "random") return std::make_unique<controller::RandomSearch>(cc, seed);
    if constexpr (std::is_same_v<ControllerConfig, controller::MacroControllerConfig>)
        return std::make_unique<controller::MacroController>(cc, seed);
    else
        return std::make_unique<controller::MicroController>(cc, seed);
}

template <Device D, class Model, class Arch, class ChildConfig, class ControllerConfig>
std::vector<StudyArch> draw_and_score(const SearchRun& run, int k, ArchSource source,
                                      ChildConfig (*child_config)(const train::CnnConfig&, const data::ImageDataset&),
                                      const ControllerConfig& controller_config, run::ProgressReporter& progress) {
    const std::optional<run::LatestCheckpoint> latest =
        run::CheckpointSet(run.dir / run::RunFolder::kCheckpoints).load_latest();
    check<ValueError>(latest.has_value(), "search run '", run.dir.string(),
                      "' has no checkpoint (checkpoints/ckpt-*.bin): it has not finished an epoch");
    std::vector<Arch> archs;
    if (source == ArchSource::derive) {
        const std::filesystem::path file = run.dir / "derive.json";
        std::error_code ec;
        check<ValueError>(std::filesystem::is_regular_file(file, ec), "search run '", run.dir.string(),
                          "' has no derive.json (its derive step did not run); use --archs policy");
        const nlohmann::json d = run::read_json_file(file);
        for (const nlohmann::json& c : d.at("candidates"))
            if (static_cast<int>(archs.size()) < k) archs.push_back(parse_arch<Arch>(c.at("arch"), run.cnn.nodes));
        check<ValueError>(static_cast<int>(archs.size()) == k, "search run '", run.dir.string(), "' has ", archs.size(),
                          " derive candidates, fewer than --k ", k);
    } else {
        auto policy = make_policy(controller_config, run.search.policy, run.cnn.seed ^ 0xC0DEull);
        std::istringstream in(latest->checkpoint.blob("controller"));
        policy->load(in, latest->checkpoint.path().string() + " (controller section)");
        std::set<std::string> seen;
        controller::Sample sample;
        for (int tries = 0; static_cast<int>(archs.size()) < k && tries < 100 * k; ++tries) {
            policy->sample_into(sample, controller::SampleMode::Stochastic);
            Arch a = search::arch_from_tokens<Arch>(run.cnn.space, sample.tokens);
            if (seen.insert(a.to_string()).second) archs.push_back(std::move(a));
        }
        check<ValueError>(static_cast<int>(archs.size()) == k, "search run '", run.dir.string(), "': its policy gave ",
                          archs.size(), " distinct architectures in ", 100 * k, " samples, fewer than --k ", k);
    }
    // Each architecture with batch and with running BN statistics (the other settings of the run's
    // evaluation policy kept): a fresh model per policy, restored from the same checkpoint.
    const train::CnnData data = train::load_cnn_data(run.cnn);
    constexpr bool kMacro = std::is_same_v<Arch, search::MacroArch>;
    const bool own_batch = kMacro ? run.cnn.macro_batch_stat_eval : run.cnn.authors_search_eval;
    std::vector<StudyArch> out;
    for (const Arch& a : archs) out.push_back({a.to_string(), "", 0.0, 0.0});
    progress.begin("score", 0, 0, 2 * k);
    std::int64_t done = 0;
    for (const bool batch : {own_batch, !own_batch}) {
        train::CnnConfig cfg = run.cnn;
        (kMacro ? cfg.macro_batch_stat_eval : cfg.authors_search_eval) = batch;
        Context<D> ctx(cfg.seed);
        Model model(ctx, child_config(cfg, data.train), cfg.seed);
        train::CnnSearchTask<D, Model, Arch> task(ctx, cfg, run.search, data, model);
        task.restore(latest->checkpoint, latest->checkpoint.json("progress"));
        for (std::size_t i = 0; i < archs.size(); ++i) {
            const double score = task.evaluate(train::Split::valid, [&] { return archs[i]; });
            (batch ? out[i].shared_batch : out[i].shared_running) = score;
            if (batch == own_batch) out[i].shared = score;
            progress.update(++done, {{batch ? "batch_stats" : "running_stats", score}});
        }
    }
    progress.end();
    return out;
}

template <Device D, template <class> class Model, class Arch, class ChildConfig>
nlohmann::json retrain_as(train::CnnConfig config, const std::string& arch_text, const std::filesystem::path& dir,
                          double checkpoint_every,
                          ChildConfig (*child_config)(const train::CnnConfig&, const data::ImageDataset&)) {
    const Arch arch = parse_arch<Arch>(arch_text, config.nodes);
    if constexpr (std::is_same_v<Arch, search::MacroArch>)
        config.layers = arch.num_layers();
    else
        config.nodes = arch.num_nodes();
    nlohmann::json cj = config.to_json();
    cj["arch"] = arch.to_string();
    std::error_code ec;
    const bool started = std::filesystem::is_regular_file(dir / run::RunFolder::kConfig, ec);
    if (started) {  // a complete run is not compared by open_run_folder: at least its architecture must match
        const nlohmann::json saved = run::read_json_file(dir / run::RunFolder::kConfig);
        check<ValueError>(saved.value("arch", "") == cj["arch"].get<std::string>(), "the run folder '", dir.string(),
                          "' trained another architecture ('", saved.value("arch", ""), "', not '",
                          cj["arch"].get<std::string>(), "'): use another study folder, or --force");
    }
    if (run::run_is_complete(dir, cj)) return run::read_json_file(dir / run::RunFolder::kSummary);
    run::RunFolder folder = run::open_run_folder(dir, started ? run::RunFolderMode::resume : run::RunFolderMode::force,
                                                 cj, {"epochs"}, train::CnnConfig{}.to_json());
    const train::CnnData data = train::load_cnn_data(config);
    folder.write_json(data::Preprocessing::kFile,
                      data::Preprocessing::of(config.dataset, data.train, data.stats).to_json());
    Context<D> ctx(config.seed);
    Model<D> model(ctx, child_config(config, data.train), config.seed, &arch);
    auto progress = run::ProgressReporter::for_stderr(config.log_every);
    train::CnnTask<D, Model<D>, Arch> task(ctx, config, data, model);
    train::FinalTraining<train::CnnTask<D, Model<D>, Arch>> trainer(task, arch, train::loop_config_of(config), folder,
                                                                    progress);
    trainer.set_checkpoint_every(checkpoint_every);
    if (started) trainer.resume();
    return trainer.run();
}

}  // namespace detail

/// Draws `k` distinct architectures of `run` (from `source`) and scores each with the run's shared
/// weights, restored from its newest checkpoint, on the whole validation split (the search task's
/// evaluate): `shared` with the run's own search-mode evaluation policy, `shared_batch` and
/// `shared_running` with batch and with running BN statistics (macro: --batch-stat-eval; micro:
/// the authors' batch statistics and dropout vs --corrected-search-eval). ValueError: no
/// checkpoint, no derive.json, fewer than `k` candidates. standalone and sub_run are left to the caller.
template <Device D>
std::vector<StudyArch> draw_and_score(const SearchRun& run, int k, ArchSource source, run::ProgressReporter& progress) {
    if (run.cnn.space == train::CnnSpace::macro)
        return detail::draw_and_score<D, child::MacroChild<D>, search::MacroArch>(
            run, k, source, &train::macro_child_config, train::macro_controller_config(run.cnn, run.search), progress);
    return detail::draw_and_score<D, child::MicroChild<D>, search::MicroArch>(
        run, k, source, &train::micro_child_config, train::micro_controller_config(run.cnn, run.search), progress);
}

/// Trains `arch_text` from scratch with `config` (retrain_config's) in the run folder `dir`, as
/// cifar_train would: fresh when `dir` has no config.json, else resumed (its config must match);
/// returns its summary.json (test_accuracy: the standalone metric) without training when the run
/// there is already complete.
template <Device D>
nlohmann::json retrain(const train::CnnConfig& config, const std::string& arch_text, const std::filesystem::path& dir,
                       double checkpoint_every = 30) {
    if (config.space == train::CnnSpace::macro)
        return detail::retrain_as<D, child::MacroChild, search::MacroArch>(config, arch_text, dir, checkpoint_every,
                                                                           &train::macro_child_config);
    return detail::retrain_as<D, child::MicroChild, search::MicroArch>(config, arch_text, dir, checkpoint_every,
                                                                       &train::micro_child_config);
}

}  // namespace enas::study
