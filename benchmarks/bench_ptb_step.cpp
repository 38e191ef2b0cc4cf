// One recurrent (PTB) child training step on the CPU: forward of one BPTT window of 35 steps with
// every dropout and regulariser of the preset, backward, global-norm clipping and plain SGD over
// the touched weights, the state carried into the next window (PtbTask::train_step without the
// data plumbing). The vocabulary is PTB's 10,000 words; tokens are uniform random ids (the cost
// does not depend on them).
//  - ptb_step/search: enas_lm's search child (RnnChildConfig::lm_search: H = 200, N = 8), batch
//    128, a fresh random cell every step (the supernet holds every (node, previous, activation)
//    weight), clip 0.1, TAR 1, weight decay 8e-7 (sum of squares);
//  - ptb_step/final: enas_lm's fixed.py child (RnnChildConfig::lm_final: H = 800) of the published
//    cell `0 2 1 0 2 1 2 2 4 0 5 0 3 2 6 2` in final mode (its weights only), batch 64, clip 0.25,
//    AR 0.7.
// Two steps run before timing; then ENAS_BENCH_STEPS (default 5) timed steps, each timed alone.
//
// Counters: median_step_ms; median_tokens_per_second (batch x 35 / median step);
// median_cpu_step_ms and cpu_tokens_per_second (the same from the process's CPU time, all
// threads: on a loaded machine the figure to compare at 1 thread); peak_rss_mib
// (VmHWM; run one row per process for a clean peak); alloc_peak_in_use_mib (the caching
// allocator's peak bytes in use); params_total (the arena's trainable elements); params_check (the
// elements the published cell reads). benchmarks/peer/compare_ptb_step.sh runs it beside PyTorch.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "enas/child/rnn_child.hpp"
#include "enas/optim/child_sgd.hpp"

namespace {
using namespace enas;
using bench::median_of, bench::peak_rss_mib, bench::process_cpu_seconds, bench::timed_steps;

constexpr std::int64_t kVocab = 10000, kSteps = 35;
constexpr const char* kPublishedCell = "0 2 1 0 2 1 2 2 4 0 5 0 3 2 6 2";

/// A random lm-format cell of N nodes: node l reads a node in [0, l) with one of 4 activations.
search::RnnArch random_cell(std::mt19937& rng, int nodes) {
    std::vector<int> tokens;
    for (int l = 1; l <= nodes; ++l) {
        tokens.push_back(std::uniform_int_distribution<int>(0, l - 1)(rng));
        tokens.push_back(std::uniform_int_distribution<int>(0, 3)(rng));
    }
    return search::RnnArch::from_tokens(tokens, search::RnnFormat::lm);
}

/// Four random windows of `batch` rows (inputs and targets uniform over the vocabulary).
std::vector<child::RnnWindow<Cpu>> random_windows(std::int64_t batch) {
    std::mt19937 rng(1234);
    std::uniform_int_distribution<std::int32_t> word(0, static_cast<std::int32_t>(kVocab - 1));
    std::vector<child::RnnWindow<Cpu>> out;
    for (int w = 0; w < 4; ++w) {
        std::vector<std::int32_t> in(static_cast<std::size_t>(batch * kSteps)), tg(in.size());
        for (std::size_t i = 0; i < in.size(); ++i) {
            in[i] = word(rng);
            tg[i] = word(rng);
        }
        out.push_back(child::make_window<Cpu>(in, tg, batch, kSteps));
    }
    return out;
}

void run_steps(benchmark::State& state, child::RnnChildConfig config, std::int64_t batch, double clip, bool search) {
    Context<Cpu> ctx(1);
    config.vocab_size = kVocab;
    const search::RnnArch published = search::RnnArch::parse(kPublishedCell, search::RnnFormat::lm);
    config.mode = search ? search::ChildMode::search : search::ChildMode::final;
    child::RnnChild<Cpu> model(ctx, config, 7, search ? nullptr : &published);
    optim::ChildSgdConfig sgd_config;
    sgd_config.momentum = 0;
    sgd_config.nesterov = false;
    sgd_config.l2 = 0;  // the model's loss carries the weight decay
    sgd_config.clip_global_norm = clip;
    optim::ChildSgd<Cpu> sgd(ctx, model.arena(), sgd_config);
    const std::vector<child::RnnWindow<Cpu>> windows = random_windows(batch);
    std::mt19937 rng(2024);
    Tensor<float, Cpu> carried = model.zero_state(ctx, batch);
    std::size_t w = 0;
    double loss = 0;
    const auto step = [&] {
        const search::RnnArch arch = search ? random_cell(rng, config.num_nodes) : published;
        Tape<Cpu> tape(ctx);
        auto r = model.forward(tape, arch, windows[w++ % windows.size()], carried);
        tape.backward(r.loss);
        sgd.step(ctx, 20.0);
        carried = r.state;
        loss += static_cast<double>(r.cross_entropy.value().item());
    };
    for (int warm = 0; warm < 2; ++warm) step();
    std::vector<double> seconds, cpu_seconds;
    for (auto _ : state) {
        const double c0 = process_cpu_seconds();
        const auto t0 = std::chrono::steady_clock::now();
        step();
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        cpu_seconds.push_back(process_cpu_seconds() - c0);
    }
    benchmark::DoNotOptimize(loss);
    const double median = median_of(seconds), cpu_median = median_of(cpu_seconds);
    std::int64_t check = 0;
    for (const nn::ParamId id : model.used_params(published)) check += model.arena().param_entry(id).shape.numel();
    state.SetItemsProcessed(state.iterations() * batch * kSteps);
    state.counters["median_step_ms"] = median * 1e3;
    state.counters["median_tokens_per_second"] = median > 0 ? static_cast<double>(batch * kSteps) / median : 0;
    state.counters["median_cpu_step_ms"] = cpu_median * 1e3;
    state.counters["cpu_tokens_per_second"] = cpu_median > 0 ? static_cast<double>(batch * kSteps) / cpu_median : 0;
    state.counters["peak_rss_mib"] = peak_rss_mib();
    state.counters["alloc_peak_in_use_mib"] = static_cast<double>(ctx.allocator_stats().peak_bytes_in_use) / (1 << 20);
    state.counters["params_total"] = static_cast<double>(model.arena().trainable_elements());
    state.counters["params_check"] = static_cast<double>(check);
}

void BM_PtbSearchStep(benchmark::State& state) { run_steps(state, child::RnnChildConfig::lm_search(), 128, 0.1, true); }
void BM_PtbFinalStep(benchmark::State& state) { run_steps(state, child::RnnChildConfig::lm_final(), 64, 0.25, false); }

BENCHMARK(BM_PtbSearchStep)
    ->Name("ptb_step/search")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(timed_steps());
BENCHMARK(BM_PtbFinalStep)
    ->Name("ptb_step/final")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(timed_steps());

}  // namespace
