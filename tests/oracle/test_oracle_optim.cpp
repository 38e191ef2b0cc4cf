#include <cmath>

#include "enas/ops/optim.hpp"
#include "oracle.hpp"
#include "test_utils.hpp"

using namespace enas;

namespace {

constexpr int kSteps = 4;

/// [kSteps, n] gradients of mixed magnitude (1e-3 to 1), so that Adam's epsilon placement matters.
Tensor<float, Cpu> gradient_steps(std::int64_t n, Rng& rng) {
    Tensor<float, Cpu> g({kSteps, n});
    for (std::int64_t i = 0; i < g.numel(); ++i)
        g.data()[i] = static_cast<float>((rng.uniform() < 0.5 ? -1 : 1) * std::pow(10.0, -3.0 * rng.uniform()));
    return g;
}

Tensor<float, Cpu> step_grad(const Tensor<float, Cpu>& grads, int k) {
    return grads.narrow(0, k, 1).view({grads.dim(1)});
}

}  // namespace

TEST_CASE("optimizer updates match torch.optim and TF's Adam formula", "[oracle][optim]") {
    Context<Cpu> ctx;
    Rng rng(71);
    const std::int64_t n = 257;
    std::vector<test::OracleCase> cases;
    const SgdParams sgd_configs[] = {{0.1, 0.9, true, 0.0}, {0.05, 0.9, true, 5e-4}, {0.1, 0.5, false, 1e-3}};
    for (const SgdParams& p : sgd_configs) {
        const auto grads = gradient_steps(n, rng);
        const auto p0 = test::random_tensor<float>({n}, rng), mom0 = test::random_tensor<float>({n}, rng, -0.1, 0.1);
        Tensor<float, Cpu> param = p0.clone(), mom = mom0.clone();
        for (int k = 0; k < kSteps; ++k) ops::sgd_step(ctx, param, step_grad(grads, k), mom, p);
        test::OracleCase c;
        c.label = std::string("sgd ") + (p.nesterov ? "nesterov" : "plain") + " wd " + std::to_string(p.weight_decay);
        c.op = "sgd_torch";
        c.attrs = {{"lr", p.lr}, {"momentum", p.momentum}, {"nesterov", p.nesterov}, {"weight_decay", p.weight_decay}};
        c.input("param", p0, false).input("grads", grads, false).input("momentum", mom0, false);
        c.output("param", param).output("momentum", mom).tolerance(1e-6, 1e-5);
        cases.push_back(c);
    }
    struct AdamCase {
        AdamParams p;
        std::int64_t first_step;
        const char* what;
    };
    const AdamCase adam_configs[] = {
        {{0.1, 0.0, 0.999, 1e-3, AdamForm::TensorFlow}, 1, "controller"},
        {{0.1, 0.0, 0.999, 1e-3, AdamForm::PyTorch}, 1, "controller"},
        {{1e-2, 0.9, 0.999, 1e-8, AdamForm::TensorFlow}, 1, "default"},
        {{1e-2, 0.9, 0.999, 1e-8, AdamForm::PyTorch}, 1, "default"},
        {{1e-2, 0.8, 0.99, 1e-4, AdamForm::TensorFlow, 1e-2}, 7, "wd, from step 7"},
        {{1e-2, 0.8, 0.99, 1e-4, AdamForm::PyTorch, 1e-2}, 7, "wd, from step 7"},
    };
    for (const AdamCase& a : adam_configs) {
        const auto grads = gradient_steps(n, rng);
        const auto p0 = test::random_tensor<float>({n}, rng);
        Tensor<float, Cpu> m0 = Tensor<float, Cpu>::zeros({n}), v0 = Tensor<float, Cpu>::zeros({n});
        if (a.first_step > 1) {  // resume from running moments
            m0 = test::random_tensor<float>({n}, rng, -0.1, 0.1);
            v0 = test::random_tensor<float>({n}, rng, 1e-6, 1e-2);
        }
        Tensor<float, Cpu> param = p0.clone(), m = m0.clone(), v = v0.clone();
        for (int k = 0; k < kSteps; ++k) ops::adam_step(ctx, param, step_grad(grads, k), m, v, a.p, a.first_step + k);
        test::OracleCase c;
        c.label = std::string("adam ") + adam_form_name(a.p.form) + " " + a.what;
        c.op = a.p.form == AdamForm::TensorFlow ? "adam_tf" : "adam_torch";
        c.attrs = {{"lr", a.p.lr},
                   {"beta1", a.p.beta1},
                   {"beta2", a.p.beta2},
                   {"eps", a.p.eps},
                   {"weight_decay", a.p.weight_decay},
                   {"first_step", a.first_step}};
        c.input("param", p0, false).input("grads", grads, false).input("m", m0, false).input("v", v0, false);
        c.output("param", param).output("m", m).output("v", v).tolerance(1e-6, 1e-5);
        cases.push_back(c);
    }
    REQUIRE(test::run_oracle("optim", cases));
}
