#include "enas/ops/batchnorm.hpp"
#include "oracle.hpp"
#include "test_utils.hpp"

using namespace enas;

namespace {

test::OracleCase bn_case(Context<Cpu>& ctx, Rng& rng, const Shape& s, const BatchNormParams& p, bool affine) {
    const std::int64_t C = s[1];
    Tape<Cpu> tape(ctx);
    Var<float, Cpu> x(test::random_tensor<float>(s, rng, -1, 3), true);
    Var<float, Cpu> gamma, beta;
    if (affine) {
        gamma = Var<float, Cpu>(test::random_tensor<float>({C}, rng, 0.5, 1.5), true);
        beta = Var<float, Cpu>(test::random_tensor<float>({C}, rng), true);
    }
    const auto rm0 = test::random_tensor<float>({C}, rng), rv0 = test::random_tensor<float>({C}, rng, 0.5, 1.5);
    Tensor<float, Cpu> rm = rm0.clone(), rv = rv0.clone();
    Var<float, Cpu> y = ops::batch_norm(tape, x, gamma, beta, rm, rv, p);
    const auto up = test::random_tensor<float>(s, rng);
    tape.backward(y, up);

    test::OracleCase c;
    std::ostringstream label;
    label << batch_norm_mode_name(p.mode) << (p.variance_update == RunningVarianceUpdate::Unbiased ? " unbiased" : "")
          << (affine ? "" : " no-affine") << " r" << s.rank();
    c.label = label.str();
    c.op = "batch_norm";
    c.attrs = {{"mode", batch_norm_mode_name(p.mode)},
               {"epsilon", p.epsilon},
               {"decay", p.decay},
               {"variance_update", p.variance_update == RunningVarianceUpdate::Unbiased ? "unbiased" : "biased"}};
    c.input("x", x.value());
    if (affine) c.input("gamma", gamma.value()).input("beta", beta.value());
    c.input("running_mean", rm0, false).input("running_var", rv0, false);
    c.output("y", y.value(), up).output("running_mean", rm).output("running_var", rv);
    c.grad("x", x.grad());
    if (affine) c.grad("gamma", gamma.grad()).grad("beta", beta.grad());
    return c;
}

BatchNormParams bn(BatchNormMode mode, double eps, RunningVarianceUpdate update = RunningVarianceUpdate::Biased) {
    return BatchNormParams{mode, eps, 0.9, update};
}

}  // namespace

TEST_CASE("batch_norm matches PyTorch", "[oracle][batchnorm]") {
    Context<Cpu> ctx(7);
    Rng rng(71);
    std::vector<test::OracleCase> cases;
    for (const Shape& s : {Shape{4, 6, 5, 5}, Shape{16, 7}}) {
        cases.push_back(bn_case(ctx, rng, s, bn(BatchNormMode::Train, 1e-5), true));
        cases.push_back(bn_case(ctx, rng, s, bn(BatchNormMode::Train, 1e-3, RunningVarianceUpdate::Unbiased), true));
        cases.push_back(bn_case(ctx, rng, s, bn(BatchNormMode::Train, 1e-5), false));
        cases.push_back(bn_case(ctx, rng, s, bn(BatchNormMode::TrainNoRunningUpdate, 1e-5), true));
        cases.push_back(bn_case(ctx, rng, s, bn(BatchNormMode::Eval, 1e-3), true));
        cases.push_back(bn_case(ctx, rng, s, bn(BatchNormMode::Eval, 1e-5), false));
    }
    REQUIRE(test::run_oracle("batchnorm", cases));
}
