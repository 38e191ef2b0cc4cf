// The optim family on the Cuda device against the CPU kernels: several steps of plain, momentum
// and Nesterov SGD (with weight decay) and of Adam in both forms (incl. the controller's beta1 = 0,
// eps = 1e-3), updating guarded views in place (as parameters are views into an arena), and the
// global norm / clipping. State buffers are compared after every step.
#include <vector>

#include "cuda_compare.hpp"
#include "enas/ops/optim.hpp"

using namespace enas;
using test::CudaGuarded;

namespace {
// A few float operations per element and step, with possible fma contraction on the device.
constexpr double kAtol = 1e-6, kRtol = 1e-5;
constexpr int kSteps = 4;
const std::int64_t kSizes[] = {1, 37, 40001};
}  // namespace

TEST_CASE("Cuda SGD steps match the CPU", "[cuda][optim]") {
    Rng rng(3);
    struct Variant {
        const char* name;
        SgdParams p;
    };
    const Variant variants[] = {{"plain", {0.1, 0.0, false, 0.0}},
                                {"momentum", {0.05, 0.9, false, 1e-4}},
                                {"nesterov", {0.05, 0.9, true, 2e-4}}};
    for (const Variant& v : variants) {
        for (std::int64_t n : kSizes) {
            const std::string label = std::string("sgd ") + v.name + " n=" + std::to_string(n);
            INFO(label);
            Context<Cpu> cpu;
            Context<Cuda> gpu;
            Tensor<float, Cpu> w = test::random_tensor<float>({n}, rng), mom = Tensor<float, Cpu>::zeros({n});
            CudaGuarded<float> w_d(w), mom_d(mom);
            for (int step = 1; step <= kSteps; ++step) {
                const auto g = test::random_tensor<float>({n}, rng);
                ops::sgd_step(cpu, w, g, mom, v.p);
                ops::sgd_step(gpu, w_d.tensor, test::to_cuda(g), mom_d.tensor, v.p);
            }
            ENAS_REQUIRE_CUDA_CLOSE(label + " param", w_d.tensor, w, kAtol, kRtol);
            ENAS_REQUIRE_CUDA_CLOSE(label + " momentum", mom_d.tensor, mom, kAtol, kRtol);
            ENAS_REQUIRE_BANDS_INTACT(w_d);
            ENAS_REQUIRE_BANDS_INTACT(mom_d);
        }
    }
}

TEST_CASE("Cuda Adam steps match the CPU in both forms", "[cuda][optim]") {
    Rng rng(4);
    struct Variant {
        const char* name;
        AdamParams p;
    };
    const Variant variants[] = {{"tensorflow", {1e-3, 0.9, 0.999, 1e-8, AdamForm::TensorFlow, 0.0}},
                                {"pytorch wd", {1e-3, 0.9, 0.999, 1e-8, AdamForm::PyTorch, 1e-2}},
                                {"controller", {3.5e-4, 0.0, 0.999, 1e-3, AdamForm::TensorFlow, 0.0}}};
    for (const Variant& v : variants) {
        for (std::int64_t n : kSizes) {
            const std::string label = std::string("adam ") + v.name + " n=" + std::to_string(n);
            INFO(label);
            Context<Cpu> cpu;
            Context<Cuda> gpu;
            Tensor<float, Cpu> w = test::random_tensor<float>({n}, rng);
            Tensor<float, Cpu> m = Tensor<float, Cpu>::zeros({n}), s = Tensor<float, Cpu>::zeros({n});
            CudaGuarded<float> w_d(w), m_d(m), s_d(s);
            for (int step = 1; step <= kSteps; ++step) {
                const auto g = test::random_tensor<float>({n}, rng);
                ops::adam_step(cpu, w, g, m, s, v.p, step);
                ops::adam_step(gpu, w_d.tensor, test::to_cuda(g), m_d.tensor, s_d.tensor, v.p, step);
            }
            ENAS_REQUIRE_CUDA_CLOSE(label + " param", w_d.tensor, w, kAtol, kRtol);
            ENAS_REQUIRE_CUDA_CLOSE(label + " m", m_d.tensor, m, kAtol, kRtol);
            ENAS_REQUIRE_CUDA_CLOSE(label + " v", s_d.tensor, s, kAtol, kRtol);
            for (const auto* b : {&w_d, &m_d, &s_d}) ENAS_REQUIRE_BANDS_INTACT(*b);
        }
    }
}

TEST_CASE("Cuda global norm and clipping match the CPU", "[cuda][optim]") {
    Rng rng(5);
    Context<Cpu> cpu;
    Context<Cuda> gpu;
    std::vector<Tensor<float, Cpu>> grads;
    std::vector<CudaGuarded<float>> guarded;
    std::vector<Tensor<float, Cuda>> grads_d;
    for (std::int64_t n : {1, 300007, 33}) {  // 300007: more than the 1024 partial sums of 256 threads
        grads.push_back(test::random_tensor<float>({n}, rng));
        guarded.emplace_back(grads.back());
        grads_d.push_back(guarded.back().tensor);
    }
    grads_d.emplace_back();  // an undefined gradient (an untouched parameter) is skipped
    grads.emplace_back();
    double s = 0, s_d = 0;
    cpu::sum_of_squares(cpu, grads[1], &s);
    cuda::sum_of_squares(gpu, grads_d[1], &s_d);
    std::printf("  %-44s cpu %.17g cuda %.17g rel err %.3g\n", "sum_of_squares n=300007", s, s_d,
                std::fabs(s - s_d) / s);
    REQUIRE(std::fabs(s - s_d) <= 1e-12 * s);  // both in double: only the summation order differs
    const double norm = ops::global_norm(cpu, grads);
    REQUIRE(std::fabs(ops::global_norm(gpu, grads_d) - norm) <= 1e-12 * norm);
    const double clipped_from = ops::clip_by_global_norm(cpu, grads, norm / 3);
    REQUIRE(std::fabs(ops::clip_by_global_norm(gpu, grads_d, norm / 3) - clipped_from) <= 1e-12 * norm);
    for (std::size_t i = 0; i + 1 < grads.size(); ++i) {
        ENAS_REQUIRE_CUDA_CLOSE("clip_by_global_norm tensor " + std::to_string(i), grads_d[i], grads[i], 0.0, 0.0);
        ENAS_REQUIRE_BANDS_INTACT(guarded[i]);
    }
}
