// ptb_train: trains one recurrent cell from scratch on Penn Treebank (enas_lm's fixed.py, reference
// §5.3) through the generic FinalTraining: SGD with lr 20 scaled by window length, then NT-ASGD
// (weight averaging once validation perplexity stops improving; evaluation with the averaged
// weights). The cell comes from --arch: a flat string, a file (best_arch.txt / best_arch.json as
// ptb_search writes them) or "released". Writes the run folder (config.json, metrics.jsonl,
// checkpoints/, final_model.ckpt with the final (averaged) weights, summary.json); --resume
// continues an interrupted run.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "../common/ptb_cli.hpp"
#include "enas/train/final_training.hpp"
#include "enas/train/ptb_task.hpp"

using namespace enas;

namespace {

template <Device D>
int run_on(const enas_cli::PtbFlags& flags, train::PtbConfig config, const search::RnnArch& arch) {
    check<ValueError>(!flags.given("nodes") || config.nodes == arch.format_node_count(), "--nodes ", config.nodes,
                      " differs from the architecture's ", arch.format_node_count(), " nodes");
    config.nodes = arch.format_node_count();
    const train::PtbData data = train::load_ptb_data(config);
    nlohmann::json cj = config.to_json();
    cj["arch"] = arch.to_string();
    run::RunFolder run =
        enas_cli::open_run(flags, flags.out_dir("ptb_train", config.space), cj, train::PtbConfig{}.to_json());
    Context<D> ctx(config.seed);
    child::RnnChild<D> model(ctx, config.child_config(data.vocab), config.seed, &arch);
    train::PtbTask<D> task(ctx, config, data, model);
    std::printf(
        "ptb_train: %s cell %s, H = %d, %lld parameters, PTB %s (vocabulary %lld; %lld x %lld train "
        "tokens), %lld epochs, NT-ASGD %s, %s device\n",
        config.space.c_str(), arch.to_string().c_str(), config.hidden, static_cast<long long>(task.num_params()),
        config.data_folder().c_str(), static_cast<long long>(data.vocab), static_cast<long long>(data.train.batch),
        static_cast<long long>(data.train.length), static_cast<long long>(config.epochs), config.nt_asgd ? "on" : "off",
        D::name);
    auto progress = run::ProgressReporter::for_stderr(config.log_every, "tok/s");
    train::FinalTraining<train::PtbTask<D>> trainer(task, arch, train::loop_config_of(config), run, progress);
    trainer.set_checkpoint_every(flags.checkpoint_every);
    if (flags.resume) trainer.resume();
    nlohmann::json s = trainer.run();
    const nlohmann::json last = s["history"].empty() ? nlohmann::json::object() : s["history"].back();
    s["valid_ppl"] = last.value("valid_ppl", 0.0);
    s["seconds"] = enas_cli::history_seconds(s["history"]);
    s["averaged"] = task.averaging();
    s["nt_asgd_switch_epoch"] = task.switch_epoch();
    s["final_model"] = "final_model.ckpt";
    std::int64_t cell_params = 0;  // the weights this cell reads (equal to params: a final-mode model)
    for (const nn::ParamId id : model.used_params(arch)) cell_params += model.arena().param_entry(id).shape.numel();
    s["cell_params"] = cell_params;
    run.write_summary(s);
    task.save_final(run.file("final_model.ckpt"), arch);
    std::printf(
        "ptb_train: %s cell, %lld parameters, %lld epochs: valid ppl %.2f, test ppl %.2f (best %.2f)%s, "
        "%.0f tokens/s, %.0f s\n",
        config.space.c_str(), static_cast<long long>(cell_params),
        static_cast<long long>(s["epochs"].get<std::int64_t>()), s["valid_ppl"].get<double>(),
        s["test_ppl"].get<double>(), s["best_test_ppl"].get<double>(), task.averaging() ? " with averaged weights" : "",
        s["tokens_per_second"].get<double>(), s["seconds"].get<double>());
    std::printf("ptb_train: run folder %s (final weights: final_model.ckpt)\n", run.dir().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "ptb_train: train a fixed recurrent cell on Penn Treebank from scratch (SGD, then NT-ASGD) and "
        "report validation and test perplexity"};
    enas_cli::PtbFlags flags;
    std::string arch_value;
    app.add_option("--arch", arch_value,
                   "cell: a flat string, a file (best_arch.txt / best_arch.json) or 'released' "
                   "(enas_lm's published cell; the TF seed cell for rnn-original)")
        ->required();
    flags.add_to(app);
    flags.add_checkpoint_every(app);
    CLI11_PARSE(app, argc, argv);
    return enas_cli::run_main("ptb_train", argc, argv, [&] {
        const train::PtbConfig config = flags.config("final");
        const search::RnnArch arch = enas_cli::read_rnn_arch(arch_value, config.original());
        return enas_cli::on_device(flags.device, [&]<Device D>() { return run_on<D>(flags, config, arch); });
    });
}
