// cifar_search: the ENAS search (reference §1, §7.2) on CIFAR-10, CIFAR-100 or Fashion-MNIST in
// the macro or micro space, with the ENAS controller or RandomSearch, then the derive step. Writes
// the run folder (config.json, metrics.jsonl, archs.jsonl, checkpoints/, best_arch.txt,
// best_arch.json, derive.json, controller.state, summary.json); --resume continues an
// interrupted search.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "../common/cnn_cli.hpp"
#include "enas/controller/controllers.hpp"
#include "enas/train/cnn_task.hpp"
#include "enas/train/derive.hpp"
#include "enas/train/search_loop.hpp"

using namespace enas;

namespace {

template <class ControllerConfig>
std::unique_ptr<controller::ArchitecturePolicy> make_policy(const ControllerConfig& cc, const train::SearchConfig& s,
                                                            std::uint64_t seed) {
    if (s.policy == "random") return std::make_unique<controller::RandomSearch>(cc, seed);
    if constexpr (std::is_same_v<ControllerConfig, controller::MacroControllerConfig>)
        return std::make_unique<controller::MacroController>(cc, seed);
    else
        return std::make_unique<controller::MicroController>(cc, seed);
}

template <class Task>
int search_with(Task& task, const train::CnnConfig& config, const train::SearchConfig& sc,
                controller::ArchitecturePolicy& policy, run::RunFolder& run, const enas_cli::RunFlags& flags) {
    auto progress = run::ProgressReporter::for_stderr(config.log_every);
    train::SearchLoop<Task> loop(task, policy, sc, train::loop_config_of(config), run, progress);
    loop.set_checkpoint_every(flags.checkpoint_every);
    if (flags.resume)
        loop.resume();
    else if (!sc.controller_init.empty())
        policy.load(sc.controller_init);
    const nlohmann::json last = loop.run();
    const auto candidates = train::derive(task, policy, sc, run, progress);
    const std::string best_arch = candidates.front().arch.to_string();
    const nlohmann::json summary = {
        {"best_arch", best_arch},
        {"best_reward", candidates.front().score},
        {"space", enas::search::space_name(config.space)},
        {"policy", sc.policy},
        {"valid_accuracy", last.value("valid_accuracy", 0.0)},
        {"test_accuracy", last.value("test_accuracy", 0.0)},
        {"accuracy_note",
         "valid_accuracy, test_accuracy and best_reward are shared-weight, search-time figures "
         "(each eval batch with a sampled architecture); retrain best_arch with cifar_train for the "
         "final accuracy"},
        {"epochs", loop.epochs_done()},
        {"seconds", loop.seconds()},
        {"images_per_second", last.value("images_per_second", 0.0)}};
    run.write_summary(summary);
    policy.save(run.file("controller.state").string());  // for --controller-init (transfer)
    std::printf("cifar_search: derived architecture (%s space, %s policy):\n  %s\n",
                enas::search::space_name(config.space), sc.policy.c_str(), best_arch.c_str());
    std::printf("cifar_search: its reward (validation accuracy with the shared weights, %d batches): %.4f\n",
                sc.derive_batches, candidates.front().score);
    std::printf("cifar_search: search-time shared-weight accuracy: valid %.4f, test %.4f; %.0f s\n",
                summary["valid_accuracy"].get<double>(), summary["test_accuracy"].get<double>(), loop.seconds());
    std::printf("cifar_search: run folder %s (retrain with: cifar_train --space %s --arch %s/best_arch.txt)\n",
                run.dir().c_str(), enas::search::space_name(config.space), run.dir().c_str());
    std::printf("cifar_search: plots with: python3 scripts/plot_run.py %s\n", run.dir().c_str());
    return 0;
}

template <Device D>
int run_on(const enas_cli::CnnFlags& flags, const train::CnnConfig& config, const train::SearchConfig& sc) {
    const train::CnnData data = train::load_cnn_data(config);
    nlohmann::json cj = config.to_json();
    cj["search"] = sc.to_json();
    run::RunFolder run = enas_cli::open_run(flags, flags.out_dir("cifar_search"), cj, train::CnnConfig{}.to_json());
    Context<D> ctx(config.seed);
    std::printf(
        "cifar_search: %s space, %s policy, %s (%lld train / %lld valid / %lld test images), %lld epochs, "
        "%s device\n",
        enas::search::space_name(config.space), sc.policy.c_str(), config.dataset.c_str(),
        static_cast<long long>(data.train.size()), static_cast<long long>(data.valid.size()),
        static_cast<long long>(data.test.size()), static_cast<long long>(config.epochs), D::name);
    if (config.space == train::CnnSpace::macro) {
        child::MacroChild<D> model(ctx, train::macro_child_config(config, data.train), config.seed);
        auto policy = make_policy(train::macro_controller_config(config, sc), sc, config.seed ^ 0xC0DEull);
        std::printf("cifar_search: macro supernet, %d layers, F = %d, %lld shared parameters\n", config.layers,
                    config.filters, static_cast<long long>(model.arena().trainable_elements()));
        train::MacroSearchTask<D> task(ctx, config, sc, data, model);
        return search_with(task, config, sc, *policy, run, flags);
    }
    child::MicroChild<D> model(ctx, train::micro_child_config(config, data.train), config.seed);
    auto policy = make_policy(train::micro_controller_config(config, sc), sc, config.seed ^ 0xC0DEull);
    std::printf("cifar_search: micro supernet, %d + 2 cells, B = %d, F = %d, %lld shared parameters\n", config.layers,
                config.nodes, config.filters, static_cast<long long>(model.arena().trainable_elements()));
    train::MicroSearchTask<D> task(ctx, config, sc, data, model);
    return search_with(task, config, sc, *policy, run, flags);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "cifar_search: ENAS architecture search (macro or micro space) with the ENAS controller or "
        "RandomSearch, then the derive step"};
    enas_cli::CnnFlags flags;
    flags.dataset = "fashion-mnist";
    enas_cli::SearchFlags search_flags;
    flags.add_to(app);
    search_flags.add_to(app);
    flags.add_checkpoint_every(app);
    CLI11_PARSE(app, argc, argv);
    return enas_cli::run_main("cifar_search", argc, argv, [&] {
        const train::CnnConfig config = flags.config(search::ChildMode::search);
        const train::SearchConfig sc = search_flags.config(config);
        return enas_cli::on_device(flags.device, [&]<Device D>() { return run_on<D>(flags, config, sc); });
    });
}
