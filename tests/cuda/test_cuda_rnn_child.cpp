// One recurrent-child training step (BPTT over a window with every dropout, AR, TAR and weight
// decay; backward; clipped SGD over the touched weights) on the Cuda device equals the same step on
// the CPU, in both formats with a random architecture, the state carried into the next window;
// and the dropout-free evaluation (batch 1 included) agrees. Prints the worst errors.
#include <random>

#include "cuda_compare.hpp"
#include "enas/child/rnn_child.hpp"
#include "enas/optim/child_sgd.hpp"
#include "search/random_arch.hpp"

using namespace enas;
using namespace enas::child;
using search::RnnArch;
using search::RnnFormat;

namespace {

data::TokenRows random_rows(std::uint64_t seed, std::int64_t batch, std::int64_t length, std::int64_t vocab) {
    Rng rng(seed);
    data::TokenRows rows;
    rows.batch = batch;
    rows.length = length;
    for (std::int64_t i = 0; i < batch * length; ++i)
        rows.ids.push_back(static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(vocab))));
    return rows;
}

RnnChildConfig config_for(RnnFormat format) {
    RnnChildConfig c;
    c.format = format;
    c.vocab_size = 23;
    c.hidden = 8;
    c.num_nodes = 4;
    c.ar_alpha = 0.5;
    c.tar_beta = 1.0;
    c.weight_decay = 1e-3;
    // The original format with its own word dropout and loss scaling.
    c.original_word_dropout = c.sum_loss_over_steps = format == RnnFormat::original;
    return c;
}

}  // namespace

TEST_CASE("cuda rnn child: training steps and evaluation equal the CPU", "[cuda][child]") {
    std::mt19937 arch_rng(3);
    for (RnnFormat format : {RnnFormat::lm, RnnFormat::original}) {
        const RnnChildConfig config = config_for(format);
        const RnnArch arch = RnnArch::from_tokens(search::fixtures::random_rnn_tokens(arch_rng, format, 4), format);
        const std::string what = std::string(search::rnn_format_name(format)) + " " + arch.to_string();
        Context<Cpu> cpu_ctx(5);
        Context<Cuda> cuda_ctx(5);
        RnnChild<Cpu> cpu_model(cpu_ctx, config, 11);
        RnnChild<Cuda> cuda_model(cuda_ctx, config, 11);
        optim::ChildSgdConfig sgd_config;
        sgd_config.momentum = 0;
        sgd_config.nesterov = false;
        sgd_config.l2 = 0;
        sgd_config.clip_global_norm = 0.25;
        optim::ChildSgd<Cpu> cpu_sgd(cpu_ctx, cpu_model.arena(), sgd_config);
        optim::ChildSgd<Cuda> cuda_sgd(cuda_ctx, cuda_model.arena(), sgd_config);
        ENAS_REQUIRE_CUDA_CLOSE(what + " initial weights", cuda_model.arena().values(), cpu_model.arena().values(), 0,
                                0);

        const data::TokenRows rows = random_rows(7, 3, 13, config.vocab_size);
        Tensor<float, Cpu> cpu_state = cpu_model.zero_state(cpu_ctx, 3);
        Tensor<float, Cuda> cuda_state = cuda_model.zero_state(cuda_ctx, 3);
        for (int step = 0; step < 2; ++step) {
            const data::BpttWindow w{step * 5, 5, 1.0};
            Tape<Cpu> cpu_tape(cpu_ctx);
            Tape<Cuda> cuda_tape(cuda_ctx);
            auto rc = cpu_model.forward(cpu_tape, arch, make_window<Cpu>(rows, w), cpu_state);
            auto rg = cuda_model.forward(cuda_tape, arch, make_window<Cuda>(rows, w), cuda_state);
            cpu_tape.backward(rc.loss);
            cuda_tape.backward(rg.loss);
            const double nc = cpu_sgd.step(cpu_ctx, 1.0, true);
            const double ng = cuda_sgd.step(cuda_ctx, 1.0, true);
            const std::string at = what + " step " + std::to_string(step);
            const double lc = rc.loss.value().item(), lg = rg.loss.value().to_vector()[0];
            std::printf("  %-44s cpu %.7f cuda %.7f (grad norm %.5f / %.5f)\n", (at + " loss").c_str(), lc, lg, nc, ng);
            REQUIRE(lg == Approx(lc).epsilon(1e-5));
            REQUIRE(ng == Approx(nc).epsilon(1e-4));
            ENAS_REQUIRE_CUDA_CLOSE(at + " state", rg.state, rc.state, 1e-5, 1e-4);
            ENAS_REQUIRE_CUDA_CLOSE(at + " weights", cuda_model.arena().values(), cpu_model.arena().values(), 1e-5,
                                    1e-4);
            cpu_state = rc.state;
            cuda_state = rg.state;
        }
        for (std::int64_t batch : {3, 1}) {
            const data::TokenRows eval_rows = random_rows(8, batch, 9, config.vocab_size);
            const data::BpttWindow w{0, 8, 1.0};
            const auto ec =
                cpu_model.evaluate(cpu_ctx, arch, make_window<Cpu>(eval_rows, w), cpu_model.zero_state(cpu_ctx, batch));
            const auto eg = cuda_model.evaluate(cuda_ctx, arch, make_window<Cuda>(eval_rows, w),
                                                cuda_model.zero_state(cuda_ctx, batch));
            std::printf("  %-44s cpu %.7f cuda %.7f\n", (what + " eval batch " + std::to_string(batch)).c_str(),
                        ec.total_cross_entropy, eg.total_cross_entropy);
            REQUIRE(eg.tokens == ec.tokens);
            REQUIRE(eg.total_cross_entropy == Approx(ec.total_cross_entropy).epsilon(1e-5));
            ENAS_REQUIRE_CUDA_CLOSE(what + " eval state", eg.state, ec.state, 1e-5, 1e-4);
        }
    }
}
