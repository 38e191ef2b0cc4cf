// One search-mode child training step on the CPU (issue 5, "Speed on the CPU"): forward of a
// freshly sampled architecture, cross-entropy (+ 0.4 x the aux head's for micro), backward, and
// one ChildSgd step (Nesterov 0.9, L2 over the touched weights only), i.e. train::train_step.
//  - child_step/macro: MacroChild search mode, L = 12, F = 36, batch 128, 32x32x3 images.
//  - child_step/micro: MicroChild search mode, 6 + 2 cells, B = 5, F = 20, batch 160, aux head.
// Each step draws a new architecture from a seeded std::mt19937 (tests/search/random_arch.hpp's
// token rules: macro ops in [0, 6) and skip bits in {0, 1}; micro indices in [0, node) and ops in
// [0, 5)) and cycles through 4 pre-generated random batches (N(0, 1) images, uniform labels).
// Two steps run before timing (the caching allocator then holds every block a step needs); then
// ENAS_BENCH_STEPS (default 5) timed steps, each timed on its own for the median.
//
// Counters: items_per_second = images/s over all timed steps (wall clock); median_step_ms and
// median_images_per_second = the same from the median step; peak_rss_mib = the process's VmHWM
// after the run (run one model per process for a clean peak: --benchmark_filter=child_step/macro);
// alloc_peak_in_use_mib / alloc_held_mib = the caching allocator's peak bytes in use and the bytes
// it holds (in use + cached) at the end;
// params_total = the supernet's trainable elements; params_check0/1 = the elements a step touches
// for the two fixed check architectures of check_pick() (benchmarks/peer/child_step.py builds
// the same ones, so the two sides' parameter counts can be compared); params_formula0 =
// search::count_parameters of check architecture 0 (micro: with the aux head).
// benchmarks/peer/compare_child_step.sh runs this side by side with PyTorch.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "enas/child/macro_child.hpp"
#include "enas/child/micro_child.hpp"
#include "enas/train/child_steps.hpp"

namespace {
using namespace enas;
using bench::median_of, bench::peak_rss_mib, bench::timed_steps;

constexpr int kMacroLayers = 12, kMacroFilters = 36, kMacroBatch = 128;
constexpr int kMicroLayers = 6, kMicroNodes = 5, kMicroFilters = 20, kMicroBatch = 160;
constexpr int kImageSize = 32, kImageChannels = 3, kClasses = 10, kBatches = 4;

int uniform_int(std::mt19937& rng, int lo, int hi_exclusive) {
    return std::uniform_int_distribution<int>(lo, hi_exclusive - 1)(rng);
}

// Token generators. `pick(range)` returns the next token in [0, range); the random one draws
// from the mt19937, the check one is deterministic so that child_step.py can rebuild it.
template <class Pick>
std::vector<int> macro_tokens(int layers, Pick pick) {
    std::vector<int> t;
    for (int l = 0; l < layers; ++l) {
        t.push_back(pick(6));
        for (int j = 0; j < l; ++j) t.push_back(pick(2));
    }
    return t;
}
template <class Pick>
std::vector<int> micro_tokens(int nodes, Pick pick) {
    std::vector<int> t;
    for (int cell = 0; cell < 2; ++cell)
        for (int id = 2; id < nodes + 2; ++id)
            for (int slot = 0; slot < 2; ++slot) {
                t.push_back(pick(id));
                t.push_back(pick(5));
            }
    return t;
}
/// Check architecture k: token i is (5 i + 3 k + 1) mod its range (same rule in child_step.py).
auto check_pick(int k) {
    return [k, i = 0](int range) mutable { return (5 * i++ + 3 * k + 1) % range; };
}
auto random_pick(std::mt19937& rng) {
    return [&rng](int range) { return uniform_int(rng, 0, range); };
}

std::vector<data::Batch> random_batches(std::int64_t n) {
    std::vector<data::Batch> out;
    std::mt19937 rng(1234);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (int b = 0; b < kBatches; ++b) {
        std::vector<float> x(static_cast<std::size_t>(n * kImageChannels * kImageSize * kImageSize));
        for (float& v : x) v = normal(rng);
        std::vector<std::int32_t> y(static_cast<std::size_t>(n));
        for (auto& v : y) v = uniform_int(rng, 0, kClasses);
        data::Batch batch;
        batch.images = Tensor<float, Cpu>::from_vector({n, kImageChannels, kImageSize, kImageSize}, x);
        batch.labels = Tensor<std::int32_t, Cpu>::from_vector({n}, y);
        out.push_back(std::move(batch));
    }
    return out;
}

/// Elements touched by one forward pass of `arch` (batch statistics, running averages untouched).
template <class Model, class Arch>
double touched_elements(Context<Cpu>& ctx, Model& model, const Arch& arch) {
    Tape<Cpu> tape(ctx);
    NoGrad<Cpu> no_grad(tape);
    nn::ForwardPass<Cpu> f{tape, model.arena(), true, nn::BnStats::batch};
    std::vector<float> x(static_cast<std::size_t>(2 * kImageChannels * kImageSize * kImageSize), 0.5f);
    model.forward(f, Var<float, Cpu>(Tensor<float, Cpu>::from_vector({2, kImageChannels, kImageSize, kImageSize}, x)),
                  arch);
    const double n = static_cast<double>(model.arena().touched_elements());
    model.arena().clear_touched();
    return n;
}

/// The timed loop shared by both spaces: `make_arch(rng)` draws the step's architecture.
template <class Model, class MakeArch>
void run_steps(benchmark::State& state, Context<Cpu>& ctx, Model& model, double l2, std::int64_t batch_size,
               MakeArch make_arch) {
    optim::ChildSgdConfig sgd_config;
    sgd_config.l2 = l2;
    optim::ChildSgd<Cpu> sgd(ctx, model.arena(), sgd_config);
    const std::vector<data::Batch> batches = random_batches(batch_size);
    std::mt19937 rng(2024);
    std::size_t b = 0;
    double loss = 0;
    for (int warm = 0; warm < 2; ++warm)
        loss += train::train_step(ctx, model, make_arch(rng), batches[b++ % batches.size()], sgd, 0.05).loss;
    std::vector<double> seconds;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto arch = make_arch(rng);  // the controller's sample: part of the step
        loss += train::train_step(ctx, model, arch, batches[b++ % batches.size()], sgd, 0.05).loss;
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    benchmark::DoNotOptimize(loss);
    const double median = median_of(seconds);
    state.SetItemsProcessed(state.iterations() * batch_size);
    state.counters["median_step_ms"] = median * 1e3;
    state.counters["median_images_per_second"] = median > 0 ? static_cast<double>(batch_size) / median : 0;
    state.counters["peak_rss_mib"] = peak_rss_mib();
    state.counters["params_total"] = static_cast<double>(model.arena().trainable_elements());
    const AllocatorStats a = ctx.allocator_stats();  // tensors from the context's caching allocator
    state.counters["alloc_peak_in_use_mib"] = static_cast<double>(a.peak_bytes_in_use) / (1 << 20);
    state.counters["alloc_held_mib"] = static_cast<double>(a.bytes_in_use + a.bytes_cached) / (1 << 20);
}

void BM_MacroStep(benchmark::State& state) {
    Context<Cpu> ctx(1);
    child::MacroChildConfig config = child::MacroChildConfig::search_script();
    config.num_layers = kMacroLayers;
    config.filters = kMacroFilters;
    child::MacroChild<Cpu> model(ctx, config, 7);
    search::MacroChildSizes sizes = search::MacroChildSizes::search_script();
    sizes.filters = kMacroFilters;
    auto check_arch = [](int k) { return search::MacroArch::from_tokens(macro_tokens(kMacroLayers, check_pick(k))); };
    std::vector<double> check;
    for (int k = 0; k < 2; ++k) check.push_back(touched_elements(ctx, model, check_arch(k)));
    const double formula = static_cast<double>(search::count_parameters(check_arch(0), sizes));
    run_steps(state, ctx, model, 2.5e-4, kMacroBatch, [](std::mt19937& rng) {
        return search::MacroArch::from_tokens(macro_tokens(kMacroLayers, random_pick(rng)));
    });
    state.counters["params_check0"] = check[0];
    state.counters["params_check1"] = check[1];
    state.counters["params_formula0"] = formula;
}

void BM_MicroStep(benchmark::State& state) {
    Context<Cpu> ctx(1);
    child::MicroChildConfig config = child::MicroChildConfig::search_script();
    config.num_layers = kMicroLayers;
    config.num_nodes = kMicroNodes;
    config.filters = kMicroFilters;
    config.aux_head = true;
    child::MicroChild<Cpu> model(ctx, config, 7);
    search::MicroChildSizes sizes = search::MicroChildSizes::search_script();
    sizes.num_layers = kMicroLayers;
    sizes.filters = kMicroFilters;
    sizes.aux_head = true;
    auto check_arch = [](int k) {
        return search::MicroArch::from_tokens(micro_tokens(kMicroNodes, check_pick(k)), kMicroNodes);
    };
    std::vector<double> check;
    for (int k = 0; k < 2; ++k) check.push_back(touched_elements(ctx, model, check_arch(k)));
    const double formula = static_cast<double>(search::count_parameters(check_arch(0), sizes));
    run_steps(state, ctx, model, 1e-4, kMicroBatch, [](std::mt19937& rng) {
        return search::MicroArch::from_tokens(micro_tokens(kMicroNodes, random_pick(rng)), kMicroNodes);
    });
    state.counters["params_check0"] = check[0];
    state.counters["params_check1"] = check[1];
    state.counters["params_formula0"] = formula;
}

BENCHMARK(BM_MacroStep)
    ->Name("child_step/macro")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(timed_steps());
BENCHMARK(BM_MicroStep)
    ->Name("child_step/micro")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(timed_steps());

}  // namespace
