// One full search-mode training step of a child model (forward, cross-entropy (+ aux), backward,
// Nesterov SGD over the touched weights, BN running statistics) on the Cuda device equals the same
// step on the CPU: macro and micro supernets with a fresh random architecture, and a final-mode
// micro model with drop-path. Prints the worst error of the loss, the weights and the statistics.
#include <random>

#include "cuda_compare.hpp"
#include "enas/child/macro_child.hpp"
#include "enas/child/micro_child.hpp"
#include "enas/train/child_steps.hpp"
#include "search/random_arch.hpp"

using namespace enas;

namespace {

data::Batch random_batch(std::uint64_t seed, std::int64_t n, std::int64_t size, int classes) {
    Rng rng(seed);
    std::vector<float> x(static_cast<std::size_t>(n * 3 * size * size));
    for (float& v : x) v = static_cast<float>(rng.normal());
    std::vector<std::int32_t> y(static_cast<std::size_t>(n));
    for (auto& v : y) v = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(classes)));
    data::Batch b;
    b.images = Tensor<float, Cpu>::from_vector({n, 3, size, size}, x);
    b.labels = Tensor<std::int32_t, Cpu>::from_vector({n}, y);
    return b;
}

/// Two steps on each device from the same initial weights; compares after each.
template <template <class> class Model, class Config, class Arch>
void compare_steps(const std::string& what, const Config& config, const Arch& arch, std::int64_t size,
                   const Arch* final_arch = nullptr, std::int64_t batch_size = 3) {
    Context<Cpu> cpu_ctx(5);
    Context<Cuda> cuda_ctx(5);
    Model<Cpu> cpu_model(cpu_ctx, config, 11, final_arch);
    Model<Cuda> cuda_model(cuda_ctx, config, 11, final_arch);
    optim::ChildSgd<Cpu> cpu_sgd(cpu_ctx, cpu_model.arena(), optim::ChildSgdConfig{});
    optim::ChildSgd<Cuda> cuda_sgd(cuda_ctx, cuda_model.arena(), optim::ChildSgdConfig{});
    ENAS_REQUIRE_CUDA_CLOSE(what + " initial weights", cuda_model.arena().values(), cpu_model.arena().values(), 0, 0);
    for (int step = 0; step < 2; ++step) {
        const data::Batch batch = random_batch(100 + step, batch_size, size, 10);
        if constexpr (requires { cpu_model.set_progress(0, 0); }) {
            cpu_model.set_progress(step, 4);
            cuda_model.set_progress(step, 4);
        }
        const train::StepResult rc = train::train_step(cpu_ctx, cpu_model, arch, batch, cpu_sgd, 0.05);
        const train::StepResult rg = train::train_step(cuda_ctx, cuda_model, arch, batch, cuda_sgd, 0.05);
        const std::string at = what + " step " + std::to_string(step);
        std::printf("  %-44s cpu %.7f cuda %.7f\n", (at + " loss").c_str(), rc.loss, rg.loss);
        REQUIRE(rg.loss == Approx(rc.loss).epsilon(1e-4));
        ENAS_REQUIRE_CUDA_CLOSE(at + " weights", cuda_model.arena().values(), cpu_model.arena().values(), 2e-4, 1e-3);
        ENAS_REQUIRE_CUDA_CLOSE(at + " BN running stats", cuda_model.arena().state_buffer(),
                                cpu_model.arena().state_buffer(), 2e-4, 1e-3);
        ENAS_REQUIRE_CUDA_CLOSE(at + " momentum", cuda_sgd.momentum(), cpu_sgd.momentum(), 2e-4, 1e-3);
    }
}

}  // namespace

TEST_CASE("cuda child step: macro search supernet, random architecture", "[cuda][child]") {
    std::mt19937 rng(3);
    child::MacroChildConfig c;
    c.num_layers = 4;
    c.filters = 6;
    const auto arch = search::MacroArch::from_tokens(search::fixtures::random_macro_tokens(rng, 4));
    INFO(arch.to_string());
    compare_steps<child::MacroChild>("macro search", c, arch, 9);
}

TEST_CASE("cuda child step: micro search supernet with aux head", "[cuda][child]") {
    std::mt19937 rng(8);
    child::MicroChildConfig c;
    c.num_layers = 3;
    c.num_nodes = 3;
    c.filters = 4;
    c.image_size = 32;  // the aux head's batch norms then see 2x2 maps: 4 values per image and channel
    const auto arch = search::MicroArch::from_tokens(search::fixtures::random_micro_tokens(rng, 3), 3);
    INFO(arch.to_string());
    compare_steps<child::MicroChild>("micro search", c, arch, 32, static_cast<const search::MicroArch*>(nullptr), 6);
}

TEST_CASE("cuda child step: micro final model with drop-path", "[cuda][child]") {
    child::MicroChildConfig c;
    c.mode = search::ChildMode::final;
    c.num_layers = 0;
    c.filters = 4;
    c.image_size = 8;
    c.aux_head = false;
    c.drop_path_keep_prob = 0.7;
    const auto arch = search::MicroArch::parse(search::fixtures::kReleasedMicro);
    compare_steps<child::MicroChild>("micro final", c, arch, 8, &arch);
}
