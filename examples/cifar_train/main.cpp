// cifar_train: trains one fixed architecture from scratch (the ENAS "final" step, reference
// §7.4) on CIFAR-10, CIFAR-100 or Fashion-MNIST and reports test accuracy after every epoch.
// The architecture comes from --arch: a flat string, a file (best_arch.txt or best_arch.json as
// cifar_search writes them) or "released" (the authors' published architecture of the space).
// Writes the run folder (config.json, metrics.jsonl, checkpoints/, summary.json); --resume
// continues an interrupted run.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "../common/cnn_cli.hpp"
#include "enas/data/image_folder_preprocess.hpp"
#include "enas/search/released.hpp"
#include "enas/train/cnn_task.hpp"
#include "enas/train/final_training.hpp"

using namespace enas;

namespace {

search::MacroArch read_macro(const std::string& value) {
    const std::string text = enas_cli::arch_text(value == "released" ? search::kReleasedMacro : value);
    if (enas_cli::is_json_text(text)) return search::macro_arch_from_json(search::ArchJson::parse(text));
    return search::MacroArch::parse(text);
}

search::MicroArch read_micro(const std::string& value) {
    const std::string text = enas_cli::arch_text(value == "released" ? search::kReleasedMicro : value);
    if (enas_cli::is_json_text(text)) return search::micro_arch_from_json(search::ArchJson::parse(text));
    std::istringstream in(text);
    int tokens = 0;
    for (std::string w; in >> w;) ++tokens;
    check<FormatError>(tokens > 0 && tokens % 8 == 0, "micro architecture: ", tokens,
                       " integers is not 8B (two cells of B nodes, 4 integers per node)");
    return search::MicroArch::parse(text, tokens / 8);
}

template <Device D, class Model, class Arch>
int train(Context<D>& ctx, const train::CnnConfig& config, const train::CnnData& data, Model& model, const Arch& arch,
          run::RunFolder& run, const enas_cli::RunFlags& flags) {
    auto progress = run::ProgressReporter::for_stderr(config.log_every);
    train::CnnTask<D, Model, Arch> task(ctx, config, data, model);
    train::FinalTraining<train::CnnTask<D, Model, Arch>> trainer(task, arch, train::loop_config_of(config), run,
                                                                 progress);
    trainer.set_checkpoint_every(flags.checkpoint_every);
    if (flags.resume) trainer.resume();
    const nlohmann::json s = trainer.run();
    std::printf(
        "cifar_train: %s architecture, %lld parameters, %lld epochs: train accuracy %.4f, test accuracy "
        "%.4f (best %.4f), %.1f images/s\n",
        enas::search::space_name(config.space), static_cast<long long>(s["params"].get<std::int64_t>()),
        static_cast<long long>(s["epochs"].get<std::int64_t>()), s["train_accuracy"].get<double>(),
        s["test_accuracy"].get<double>(), s["best_test_accuracy"].get<double>(), s["images_per_second"].get<double>());
    std::printf("cifar_train: run folder %s\n", run.dir().c_str());
    std::printf("cifar_train: plots with: python3 scripts/plot_run.py %s\n", run.dir().c_str());
    return 0;
}

/// Loads the data, opens the run folder and trains the final-mode Model of `arch`.
template <Device D, template <class> class Model, class Arch, class ChildConfig>
int train_arch(const enas_cli::CnnFlags& flags, const train::CnnConfig& config, const Arch& arch,
               ChildConfig (*child_config)(const train::CnnConfig&, const data::ImageDataset&)) {
    const train::CnnData data = train::load_cnn_data(config);
    nlohmann::json cj = config.to_json();
    cj["arch"] = arch.to_string();
    run::RunFolder run = enas_cli::open_run(flags, flags.out_dir("cifar_train"), cj, train::CnnConfig{}.to_json());
    // What enas_predict needs to feed the trained model: image layout, standardisation, class names.
    run.write_json(data::Preprocessing::kFile,
                   data::Preprocessing::of(config.dataset, data.train, data.stats).to_json());
    Context<D> ctx(config.seed);
    Model<D> model(ctx, child_config(config, data.train), config.seed, &arch);
    std::printf(
        "cifar_train: %s final model, %d layers%s, F = %d, %lld parameters, %s (%lld train / %lld test "
        "images), %s\n",
        enas::search::space_name(config.space), config.layers,
        config.space == train::CnnSpace::micro ? " (+ 2 reduction cells)" : "", config.filters,
        static_cast<long long>(model.arena().trainable_elements()), config.dataset.c_str(),
        static_cast<long long>(data.train.size()), static_cast<long long>(data.test.size()), D::name);
    return train(ctx, config, data, model, arch, run, flags);
}

template <Device D>
int run_on(const enas_cli::CnnFlags& flags, train::CnnConfig config, const std::string& arch_value) {
    if (config.space == train::CnnSpace::macro) {
        const search::MacroArch arch = read_macro(arch_value);
        const std::optional<int> layers = flags.given(&train::CnnConfig::layers);
        check<ValueError>(!layers || *layers == arch.num_layers(), "--layers ", layers.value_or(0),
                          " differs from the architecture's ", arch.num_layers(), " layers");
        config.layers = arch.num_layers();
        return train_arch<D, child::MacroChild>(flags, config, arch, &train::macro_child_config);
    }
    const search::MicroArch arch = read_micro(arch_value);
    config.nodes = arch.num_nodes();
    return train_arch<D, child::MicroChild>(flags, config, arch, &train::micro_child_config);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"cifar_train: train a fixed ENAS architecture from scratch and report test accuracy each epoch"};
    enas_cli::CnnFlags flags;
    std::string arch;
    app.add_option("--arch", arch,
                   "architecture: a flat string, a file (best_arch.txt / best_arch.json) or "
                   "'released' (the authors' published architecture)")
        ->required();
    flags.add_to(app);
    flags.add_checkpoint_every(app);
    CLI11_PARSE(app, argc, argv);
    return enas_cli::run_main("cifar_train", argc, argv, [&] {
        const train::CnnConfig config = flags.config(search::ChildMode::final);
        return enas_cli::on_device(flags.device, [&]<Device D>() { return run_on<D>(flags, config, arch); });
    });
}
