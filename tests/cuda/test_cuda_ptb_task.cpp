// The recurrent task (train/ptb_task.hpp) on the Cuda device equals it on the CPU: a pass of
// random-length training windows (clipped SGD, lr scaled by the window length, the state carried
// across windows), the validation and test perplexities (test with batch 1), a reward slice, and
// the final-mode model of one cell. Prints the worst differences.
#include <cmath>

#include "cuda_compare.hpp"
#include "enas/core/random.hpp"
#include "enas/train/ptb_task.hpp"

using namespace enas;
using namespace enas::train;

namespace {

PtbData random_ptb_data(std::int64_t vocab, const PtbConfig& c) {
    Rng rng(17);
    const auto stream = [&](std::int64_t n) {
        std::vector<std::int32_t> s(static_cast<std::size_t>(n));
        for (auto& x : s) x = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(vocab)));
        return s;
    };
    PtbData d;
    d.vocab = vocab;
    d.train = data::batchify(stream(4 * 60), c.batch);
    const std::vector<std::int32_t> valid = stream(2 * 30);
    d.valid = data::batchify(valid, c.eval_batch);
    d.reward = data::batchify(valid, c.batch);
    d.test = data::batchify(stream(25), 1);
    return d;
}

template <Device D>
struct Side {
    Side(const PtbConfig& c, const PtbData& data, const search::RnnArch* final_arch)
        : ctx(c.seed), model(ctx, c.child_config(data.vocab), c.seed, final_arch), task(ctx, c, data, model) {}
    Context<D> ctx;
    child::RnnChild<D> model;
    PtbTask<D> task;
};

}  // namespace

TEST_CASE("cuda ptb task: a training pass, evaluation and rewards equal the CPU", "[cuda][train]") {
    const auto arch = search::RnnArch::parse("0 2 1 0 2 1", search::RnnFormat::lm);
    for (const char* mode : {"search", "final"}) {
        PtbConfig c = PtbConfig::preset_for("rnn", mode, "quick");
        c.hidden = 8;
        c.nodes = 3;
        c.batch = 4;
        c.eval_batch = 2;
        c.bptt = 6;
        c.reward_bptt = 5;
        c.seed = 3;
        const PtbData data = random_ptb_data(19, c);
        const bool final = c.final_mode();
        Side<Cpu> cpu(c, data, final ? &arch : nullptr);
        Side<Cuda> gpu(c, data, final ? &arch : nullptr);
        const std::int64_t steps = cpu.task.steps_per_epoch();
        REQUIRE(gpu.task.steps_per_epoch() == steps);
        REQUIRE(steps >= 3);
        for (std::int64_t s = 0; s < steps; ++s) {
            const StepAt at{0, s, steps, 1};
            const StepStats a = cpu.task.train_step(arch, c.lr, at), b = gpu.task.train_step(arch, c.lr, at);
            INFO(mode << " step " << s << ": cpu loss " << a.loss << ", cuda " << b.loss);
            REQUIRE(b.count == a.count);
            REQUIRE(b.loss == Approx(a.loss).epsilon(1e-5));
        }
        ENAS_REQUIRE_CUDA_CLOSE(std::string(mode) + " weights after a pass", gpu.model.arena().values(),
                                cpu.model.arena().values(), 1e-5, 1e-4);
        for (Split split : {Split::valid, Split::test}) {
            const double a = cpu.task.evaluate(split, [&] { return arch; });
            const double b = gpu.task.evaluate(split, [&] { return arch; });
            std::printf("  %-6s %-5s ppl cpu %.6f cuda %.6f\n", mode, split == Split::valid ? "valid" : "test", a, b);
            REQUIRE(std::isfinite(a));
            REQUIRE(b == Approx(a).epsilon(1e-5));
        }
        const double ra = cpu.task.reward(arch), rb = gpu.task.reward(arch);
        REQUIRE(rb == Approx(ra).epsilon(1e-5));
    }
}
