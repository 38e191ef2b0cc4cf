#include "enas/autograd/grad_check.hpp"
#include "enas/ops/batchnorm.hpp"
#include "naive/batchnorm.hpp"
#include "test_utils.hpp"

using namespace enas;
using test::Guarded;

namespace {

struct BnConfig {
    BatchNormParams p;
    bool affine;
};

BatchNormParams bn(BatchNormMode mode, double eps, double decay, RunningVarianceUpdate update) {
    return BatchNormParams{mode, eps, decay, update};
}

constexpr auto kBiased = RunningVarianceUpdate::Biased;
constexpr auto kUnbiased = RunningVarianceUpdate::Unbiased;

const BnConfig kConfigs[] = {
    {bn(BatchNormMode::Train, 1e-5, 0.9, kBiased), true},
    {bn(BatchNormMode::Train, 1e-3, 0.9, kUnbiased), true},
    {bn(BatchNormMode::Train, 1e-5, 0.7, kBiased), false},
    {bn(BatchNormMode::Train, 1e-3, 0.0, kUnbiased), false},
    {bn(BatchNormMode::TrainNoRunningUpdate, 1e-5, 0.9, kBiased), true},
    {bn(BatchNormMode::TrainNoRunningUpdate, 1e-3, 0.9, kBiased), false},
    {bn(BatchNormMode::Eval, 1e-3, 0.9, kBiased), true},
    {bn(BatchNormMode::Eval, 1e-5, 0.9, kBiased), false},
};

// Batch 1, rank 2, 1x1 planes, odd sizes, channel counts not multiples of 4/8, and one case
// with enough values to run channels in parallel.
const Shape kShapes[] = {{1, 3, 5, 7}, {4, 5, 3, 3}, {2, 7, 1, 1}, {6, 5}, {3, 4}, {8, 13, 17, 19}};

std::string describe(const BnConfig& c) {
    std::ostringstream os;
    os << batch_norm_mode_name(c.p.mode) << " eps=" << c.p.epsilon << " decay=" << c.p.decay
       << (c.p.variance_update == kUnbiased ? " unbiased" : " biased") << (c.affine ? " affine" : " no-affine");
    return os.str();
}

template <class T>
void check_against_naive(const Shape& s, const BnConfig& cfg, Rng& rng, double atol, double rtol) {
    Context<Cpu> ctx(1);
    const std::int64_t C = s[1];
    const auto x = test::random_tensor<T>(s, rng, 1, 5);  // a nonzero mean exercises cancellation
    const auto gy = test::random_tensor<T>(s, rng);
    const Tensor<T, Cpu> gamma = cfg.affine ? test::random_tensor<T>({C}, rng, 0.5, 1.5) : Tensor<T, Cpu>();
    const Tensor<T, Cpu> beta = cfg.affine ? test::random_tensor<T>({C}, rng) : Tensor<T, Cpu>();
    const auto rm0 = test::random_tensor<T>({C}, rng, -0.5, 0.5), rv0 = test::random_tensor<T>({C}, rng, 0.5, 1.5);
    Tensor<T, Cpu> rm = rm0.clone(), rv = rv0.clone();

    Guarded<T> y(s), mean({C}), inv_std({C});
    cpu::batch_norm_forward(ctx, cfg.p, x, gamma, beta, rm, rv, y.tensor, mean.tensor, inv_std.tensor);
    Guarded<T> gx(s, T(0.5)), ggamma({C}, T(0.25)), gbeta({C}, T(-0.5));  // nonzero: backward accumulates
    Tensor<T, Cpu> no_grad;
    cpu::batch_norm_backward(ctx, cfg.p.mode, x, gamma, mean.tensor, inv_std.tensor, gy, gx.tensor,
                             cfg.affine ? ggamma.tensor : no_grad, cfg.affine ? gbeta.tensor : no_grad);

    const auto xd = test::cast<double>(x);
    const auto gd = cfg.affine ? test::cast<double>(gamma) : Tensor<double, Cpu>();
    const auto bd = cfg.affine ? test::cast<double>(beta) : Tensor<double, Cpu>();
    const naive::BatchNormResult ref =
        naive::batch_norm(xd, gd, bd, test::cast<double>(rm0), test::cast<double>(rv0), cfg.p);
    const naive::BatchNormGrads gref =
        naive::batch_norm_backward(xd, gd, ref, cfg.p, test::cast<double>(gy), 0.5, 0.25, -0.5);
    ENAS_REQUIRE_CLOSE(y.tensor, ref.y, atol, rtol);
    const auto mean_ref = Tensor<double, Cpu>::from_vector(Shape{C}, ref.mean);
    const auto inv_std_ref = Tensor<double, Cpu>::from_vector(Shape{C}, ref.inv_std);
    ENAS_REQUIRE_CLOSE(mean.tensor, mean_ref, atol, rtol);
    ENAS_REQUIRE_CLOSE(inv_std.tensor, inv_std_ref, atol, rtol);
    ENAS_REQUIRE_CLOSE(rm, ref.running_mean, atol, rtol);  // unchanged (exactly) unless Train
    ENAS_REQUIRE_CLOSE(rv, ref.running_var, atol, rtol);
    if (cfg.p.mode != BatchNormMode::Train) {
        ENAS_REQUIRE_CLOSE(rm, rm0, 0.0, 0.0);
        ENAS_REQUIRE_CLOSE(rv, rv0, 0.0, 0.0);
    }
    ENAS_REQUIRE_CLOSE(gx.tensor, gref.gx, atol, rtol);
    if (cfg.affine) {
        ENAS_REQUIRE_CLOSE(ggamma.tensor, gref.ggamma, atol, rtol);
        ENAS_REQUIRE_CLOSE(gbeta.tensor, gref.gbeta, atol, rtol);
    }
    REQUIRE((y.guard_intact() && mean.guard_intact() && inv_std.guard_intact()));
    REQUIRE((gx.guard_intact() && ggamma.guard_intact() && gbeta.guard_intact()));
}

}  // namespace

TEST_CASE("batch_norm forward, running update and backward match the naive reference", "[batchnorm]") {
    Rng rng(41);
    for (const BnConfig& cfg : kConfigs)
        for (const Shape& s : kShapes) {
            INFO(describe(cfg) << " x " << s.str());
            // With M = 2 values per channel the training-mode gradient is pure cancellation (it
            // vanishes as eps -> 0): float can only match it to float precision of k * |gy|, not
            // relative to the tiny result, so that ill-conditioned case runs in double only.
            if (s.numel() / s[1] > 2) check_against_naive<float>(s, cfg, rng, 2e-5, 2e-5);
            check_against_naive<double>(s, cfg, rng, 1e-11, 1e-11);
        }
}

TEST_CASE("biased and unbiased running-variance updates differ by M / (M - 1)", "[batchnorm]") {
    Context<Cpu> ctx;
    Rng rng(42);
    const auto x = test::random_tensor<double>({2, 3, 2, 2}, rng);  // M = 8 per channel
    Tensor<double, Cpu> rm_b = Tensor<double, Cpu>::zeros({3}), rv_b = Tensor<double, Cpu>::zeros({3});
    Tensor<double, Cpu> rm_u = rm_b.clone(), rv_u = rv_b.clone();
    const Tensor<double, Cpu> none;
    ops::batch_norm(ctx, x, none, none, rm_b, rv_b, bn(BatchNormMode::Train, 1e-5, 0.5, kBiased));
    ops::batch_norm(ctx, x, none, none, rm_u, rv_u, bn(BatchNormMode::Train, 1e-5, 0.5, kUnbiased));
    ENAS_REQUIRE_CLOSE(rm_u, rm_b, 0.0, 0.0);
    for (int c = 0; c < 3; ++c) REQUIRE(rv_u.data()[c] == Approx(rv_b.data()[c] * 8.0 / 7.0).epsilon(1e-14));
}

TEST_CASE("batch_norm on Vars passes the gradient check in every mode", "[batchnorm][gradcheck]") {
    Rng rng(43);
    for (const Shape& s : {Shape{3, 2, 2, 3}, Shape{5, 3}}) {
        const std::int64_t C = s[1];
        auto x = Var<double, Cpu>(test::random_tensor<double>(s, rng, -2, 2), true);
        auto gamma = Var<double, Cpu>(test::random_tensor<double>({C}, rng, 0.5, 1.5), true);
        auto beta = Var<double, Cpu>(test::random_tensor<double>({C}, rng), true);
        Tensor<double, Cpu> rm = test::random_tensor<double>({C}, rng),
                            rv = test::random_tensor<double>({C}, rng, 0.5, 2);
        const Var<double, Cpu> none;
        for (const BnConfig& cfg : kConfigs) {
            INFO(describe(cfg) << " x " << s.str());
            const Var<double, Cpu>& g = cfg.affine ? gamma : none;
            const Var<double, Cpu>& b = cfg.affine ? beta : none;
            const std::vector<Var<double, Cpu>> inputs =
                cfg.affine ? std::vector<Var<double, Cpu>>{x, gamma, beta} : std::vector<Var<double, Cpu>>{x};
            ENAS_REQUIRE_GRADCHECK(
                grad_check([&](Tape<Cpu>& t) { return ops::batch_norm(t, x, g, b, rm, rv, cfg.p); }, inputs));
        }
        INFO("x needs no gradient, gamma and beta do");
        auto x_const = Var<double, Cpu>(x.value(), false);
        ENAS_REQUIRE_GRADCHECK(grad_check(
            [&](Tape<Cpu>& t) { return ops::batch_norm(t, x_const, gamma, beta, kConfigs[4].p); }, {gamma, beta}));
        REQUIRE_FALSE(x_const.has_grad());
    }
}

TEST_CASE("batch_norm on Vars updates running statistics only in Train", "[batchnorm]") {
    Context<Cpu> ctx;
    Tape<Cpu> tape(ctx);
    Rng rng(44);
    auto x = Var<float, Cpu>(test::random_tensor<float>({4, 3, 2, 2}, rng), true);
    const Var<float, Cpu> none;
    const Tensor<float, Cpu> rm0 = test::random_tensor<float>({3}, rng),
                             rv0 = test::random_tensor<float>({3}, rng, 0.5, 1);
    for (BatchNormMode mode : {BatchNormMode::Train, BatchNormMode::TrainNoRunningUpdate, BatchNormMode::Eval}) {
        INFO(batch_norm_mode_name(mode));
        Tensor<float, Cpu> rm = rm0.clone(), rv = rv0.clone();
        const BatchNormParams p = bn(mode, 1e-5, 0.9, kBiased);
        ops::batch_norm(tape, x, none, none, rm, rv, p);
        const auto ref = naive::batch_norm(test::cast<double>(x.value()), {}, {}, test::cast<double>(rm0),
                                           test::cast<double>(rv0), p);
        ENAS_REQUIRE_CLOSE(rm, ref.running_mean, 1e-6, 1e-5);
        ENAS_REQUIRE_CLOSE(rv, ref.running_var, 1e-6, 1e-5);
        REQUIRE((mode == BatchNormMode::Train) == !(rm.data()[0] == rm0.data()[0]));
    }
}

TEST_CASE("batch_norm rejects bad shapes, parameters and missing running statistics", "[batchnorm][errors]") {
    using Catch::Matchers::Contains;
    Context<Cpu> ctx;
    const Tensor<float, Cpu> x = Tensor<float, Cpu>::full({2, 3, 4, 4}, 1.0f);
    const Tensor<float, Cpu> rank3 = Tensor<float, Cpu>::full({2, 3, 4}, 1.0f), empty({0, 3, 4, 4});
    const Tensor<float, Cpu> c3 = Tensor<float, Cpu>::full({3}, 1.0f), c4 = Tensor<float, Cpu>::full({4}, 1.0f);
    Tensor<float, Cpu> rm = c3.clone(), rv = c3.clone(), rm4 = c4.clone(), none;
    const BatchNormParams train{};
    ENAS_REQUIRE_THROWS(ops::batch_norm(ctx, rank3, c3, c3, rm, rv, train), ShapeError,
                        Contains("rank 2") && Contains("[2, 3, 4]"));
    ENAS_REQUIRE_THROWS(ops::batch_norm(ctx, empty, c3, c3, rm, rv, train), ShapeError,
                        Contains("empty") && Contains("[0, 3, 4, 4]"));
    ENAS_REQUIRE_THROWS(ops::batch_norm(ctx, x, c4, c3, rm, rv, train), ShapeError,
                        Contains("gamma") && Contains("[4]") && Contains("[3]"));
    ENAS_REQUIRE_THROWS(ops::batch_norm(ctx, x, c3, c4, rm, rv, train), ShapeError,
                        Contains("beta") && Contains("[4]"));
    ENAS_REQUIRE_THROWS(ops::batch_norm(ctx, x, c3, c3, rm4, rv, train), ShapeError,
                        Contains("running_mean") && Contains("[4]") && Contains("[3]"));
    ENAS_REQUIRE_THROWS(ops::batch_norm(ctx, x, c3, c3, rm, rv, bn(BatchNormMode::Train, 0.0, 0.9, kBiased)),
                        ValueError, Contains("epsilon 0"));
    ENAS_REQUIRE_THROWS(ops::batch_norm(ctx, x, c3, c3, rm, rv, bn(BatchNormMode::Train, 1e-5, 1.5, kBiased)),
                        ValueError, Contains("decay 1.5"));
    ENAS_REQUIRE_THROWS(ops::batch_norm(ctx, x, c3, c3, none, rv, bn(BatchNormMode::Eval, 1e-5, 0.9, kBiased)),
                        StateError, Contains("eval") && Contains("running_mean"));
    const Tensor<float, Cpu> one_row = Tensor<float, Cpu>::full({1, 3}, 1.0f);
    ENAS_REQUIRE_THROWS(ops::batch_norm(ctx, one_row, c3, c3, rm, rv, bn(BatchNormMode::Train, 1e-5, 0.9, kUnbiased)),
                        ValueError, Contains("unbiased") && Contains("[1, 3]"));
    // The biased (TF) update accepts one value per channel, and TrainNoRunningUpdate needs no running stats.
    REQUIRE_NOTHROW(ops::batch_norm(ctx, one_row, c3, c3, rm, rv, train));
    REQUIRE_NOTHROW(
        ops::batch_norm(ctx, x, c3, c3, none, none, bn(BatchNormMode::TrainNoRunningUpdate, 1e-5, 0.9, kBiased)));
    Tape<Cpu> tape(ctx);
    const Var<float, Cpu> xv(x, true), g;
    ENAS_REQUIRE_THROWS(ops::batch_norm(tape, xv, g, g, train), ValueError, Contains("train-no-running-update"));
}
