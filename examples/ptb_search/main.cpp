// ptb_search: the ENAS recurrent cell search on Penn Treebank (reference §5) with the ENAS
// controller or RandomSearch, through the generic SearchLoop (one epoch = one pass over the
// training tokens, then the controller), then the derive step. Writes the run folder
// (config.json, metrics.jsonl, archs.jsonl, checkpoints/, best_arch.txt, best_arch.json,
// derive.json, controller.state, summary.json); --resume continues an interrupted search.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "../common/ptb_cli.hpp"
#include "enas/controller/controllers.hpp"
#include "enas/train/derive.hpp"
#include "enas/train/ptb_task.hpp"
#include "enas/train/search_loop.hpp"

using namespace enas;

namespace {

template <Device D>
int run_on(const enas_cli::PtbFlags& flags, const train::PtbConfig& config) {
    const train::PtbData data = train::load_ptb_data(config);
    const train::SearchConfig sc = config.search_config();
    run::RunFolder run = enas_cli::open_run(flags, flags.out_dir("ptb_search", config.space), config.to_json(),
                                            train::PtbConfig{}.to_json());
    Context<D> ctx(config.seed);
    child::RnnChild<D> model(ctx, config.child_config(data.vocab), config.seed);
    const controller::RnnControllerConfig cc = config.controller_config();
    std::unique_ptr<controller::ArchitecturePolicy> policy;
    if (sc.policy == "random")
        policy = std::make_unique<controller::RandomSearch>(cc, config.seed ^ 0xC0DEull);
    else
        policy = std::make_unique<controller::RnnController>(cc, config.seed ^ 0xC0DEull);
    train::PtbTask<D> task(ctx, config, data, model);
    std::printf(
        "ptb_search: %s space, %s policy, %s preset, PTB %s (vocabulary %lld; %lld x %lld train, %lld x %lld "
        "valid tokens), H = %d, N = %d, %lld shared parameters, %lld epochs, %s device\n",
        config.space.c_str(), sc.policy.c_str(), config.preset.c_str(), config.data_folder().c_str(),
        static_cast<long long>(data.vocab), static_cast<long long>(data.train.batch),
        static_cast<long long>(data.train.length), static_cast<long long>(data.valid.batch),
        static_cast<long long>(data.valid.length), config.hidden, config.nodes,
        static_cast<long long>(task.num_params()), static_cast<long long>(config.epochs), D::name);

    auto progress = run::ProgressReporter::for_stderr(config.log_every, "tok/s");
    train::SearchLoop<train::PtbTask<D>> loop(task, *policy, sc, train::loop_config_of(config), run, progress);
    loop.set_checkpoint_every(flags.checkpoint_every);
    if (flags.resume)
        loop.resume();
    else if (!sc.controller_init.empty())
        policy->load(sc.controller_init);
    const nlohmann::json last = loop.run();
    const auto candidates = train::derive(task, *policy, sc, run, progress);
    const std::string best_arch = candidates.front().arch.to_string();
    const double best_ppl = 80.0 / candidates.front().score;
    const nlohmann::json summary = {
        {"arch", best_arch},
        {"best_arch", best_arch},
        {"best_reward", candidates.front().score},
        {"best_valid_ppl", best_ppl},
        {"space", config.space},
        {"policy", sc.policy},
        {"valid_ppl", last.value("valid_ppl", 0.0)},
        {"test_ppl", last.value("test_ppl", 0.0)},
        {"ppl_note",
         "valid_ppl and test_ppl are shared-weight, search-time figures (a sampled cell per window); "
         "best_valid_ppl is the derived cell's on the derive slices; retrain it with ptb_train"},
        {"epochs", loop.epochs_done()},
        {"seconds", loop.seconds()},
        {"tokens_per_second", last.value("tokens_per_second", 0.0)}};
    run.write_summary(summary);
    policy->save(run.file("controller.state").string());  // for --controller-init (transfer)
    std::printf("ptb_search: derived cell (%s space, %s policy):\n  %s\n", config.space.c_str(), sc.policy.c_str(),
                best_arch.c_str());
    std::printf("ptb_search: its shared-weight validation perplexity (%d slices): %.2f (reward %.4f)\n",
                sc.derive_batches, best_ppl, candidates.front().score);
    std::printf("ptb_search: search-time shared-weight perplexity: valid %.2f, test %.2f; %.0f tokens/s; %.0f s\n",
                summary["valid_ppl"].get<double>(), summary["test_ppl"].get<double>(),
                summary["tokens_per_second"].get<double>(), loop.seconds());
    std::printf("ptb_search: run folder %s (retrain with: ptb_train --space %s --arch %s/best_arch.txt)\n",
                run.dir().c_str(), config.space.c_str(), run.dir().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "ptb_search: ENAS recurrent cell search on Penn Treebank with the ENAS controller or RandomSearch, "
        "then the derive step"};
    enas_cli::PtbFlags flags;
    flags.add_to(app);
    flags.add_checkpoint_every(app);
    CLI11_PARSE(app, argc, argv);
    return enas_cli::run_main("ptb_search", argc, argv, [&] {
        const train::PtbConfig config = flags.config("search");
        return enas_cli::on_device(flags.device, [&]<Device D>() { return run_on<D>(flags, config); });
    });
}
