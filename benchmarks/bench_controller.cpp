// Controller benchmarks: one architecture sample plus its REINFORCE update, as the controller
// phase of a search runs them (reference §1: sample, reward, baseline, gradient, and an Adam step
// every num_aggregate samples). The reward is a constant stand-in, so only the controller is timed.
//   controller/macro_L12/sample_update/agg1     Adam after every sample (the worst case)
//   controller/macro_L12/sample_update/agg20    the macro script's num_aggregate = 20
//   controller/macro_L12/sample                 sampling only
//   controller/micro_B5/sample_update/agg1|agg10 and controller/micro_B5/sample
// benchmarks/peer/torch_controller.py times the same macro controller in PyTorch
// (benchmarks/peer/compare_controller.sh runs both).
#include <benchmark/benchmark.h>

#include "enas/controller/controllers.hpp"

using namespace enas::controller;

namespace {

template <class Controller>
void sample_update(benchmark::State& state, Controller& controller) {
    Sample s;
    double reward = 0.5;
    for (auto _ : state) {
        controller.sample_into(s);
        const UpdateResult r = controller.update(s, reward);
        benchmark::DoNotOptimize(r.loss);
        reward = 1.0 - reward;  // alternate so the advantage is never zero
    }
    state.SetItemsProcessed(state.iterations());
}

void macro_sample_update(benchmark::State& state) {
    MacroControllerConfig c;  // L = 12, H = 64, the script values
    c.reinforce.num_aggregate = static_cast<int>(state.range(0));
    MacroController controller(c, 1);
    sample_update(state, controller);
}

void micro_sample_update(benchmark::State& state) {
    MicroControllerConfig c;  // B = 5, H = 64
    c.reinforce.num_aggregate = static_cast<int>(state.range(0));
    MicroController controller(c, 1);
    sample_update(state, controller);
}

template <class Controller, class Config>
void sample_only(benchmark::State& state, const Config& config) {
    Controller controller(config, 1);
    Sample s;
    for (auto _ : state) {
        controller.sample_into(s);
        benchmark::DoNotOptimize(s.log_prob);
    }
    state.SetItemsProcessed(state.iterations());
}

void macro_sample(benchmark::State& state) { sample_only<MacroController>(state, MacroControllerConfig{}); }
void micro_sample(benchmark::State& state) { sample_only<MicroController>(state, MicroControllerConfig{}); }
void rnn_sample_update(benchmark::State& state) {
    RnnController controller(RnnControllerConfig{}, 1);
    sample_update(state, controller);
}

}  // namespace

BENCHMARK(macro_sample_update)->Name("controller/macro_L12/sample_update/agg1")->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(macro_sample_update)
    ->Name("controller/macro_L12/sample_update/agg20")
    ->Arg(20)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(macro_sample)->Name("controller/macro_L12/sample")->Unit(benchmark::kMicrosecond);
BENCHMARK(micro_sample_update)->Name("controller/micro_B5/sample_update/agg1")->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(micro_sample_update)->Name("controller/micro_B5/sample_update/agg10")->Arg(10)->Unit(benchmark::kMicrosecond);
BENCHMARK(micro_sample)->Name("controller/micro_B5/sample")->Unit(benchmark::kMicrosecond);
BENCHMARK(rnn_sample_update)->Name("controller/rnn_N9/sample_update/agg10")->Unit(benchmark::kMicrosecond);
