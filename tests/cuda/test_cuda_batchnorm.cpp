// The batchnorm family on the Cuda device (cuda/batchnorm.cu) against the CPU kernels: every mode
// (Train with the biased and unbiased running update, TrainNoRunningUpdate, Eval), with and without
// gamma / beta, rank 4 and rank 2, batch 1, 1x1 planes, channel counts off multiples of 4 / 32, and
// channels with enough values to split their sums over several blocks. Inputs have a nonzero mean
// (the variance must not cancel). Outputs and saved statistics start poisoned inside guard bands,
// gradient buffers start nonzero (the backward accumulates), and gx, ggamma, gbeta are also
// requested one at a time (undefined tensors elsewhere).
#include <cstdint>
#include <sstream>
#include <string>

#include "cuda_compare.hpp"
#include "enas/backend/cuda/batchnorm.hpp"
#include "enas/ops/batchnorm.hpp"

using namespace enas;

namespace {

struct BnConfig {
    BatchNormParams p;
    bool affine;
    std::string name() const {
        std::ostringstream os;
        os << batch_norm_mode_name(p.mode) << " eps=" << p.epsilon << " decay=" << p.decay
           << (p.variance_update == RunningVarianceUpdate::Unbiased ? " unbiased" : " biased")
           << (affine ? " affine" : " no-affine");
        return os.str();
    }
};

constexpr auto kBiased = RunningVarianceUpdate::Biased;
constexpr auto kUnbiased = RunningVarianceUpdate::Unbiased;

const BnConfig kConfigs[] = {
    {{BatchNormMode::Train, 1e-5, 0.9, kBiased}, true},
    {{BatchNormMode::Train, 1e-3, 0.9, kUnbiased}, false},
    {{BatchNormMode::TrainNoRunningUpdate, 1e-5, 0.9, kBiased}, true},
    {{BatchNormMode::TrainNoRunningUpdate, 1e-3, 0.9, kBiased}, false},
    {{BatchNormMode::Eval, 1e-3, 0.9, kBiased}, true},
    {{BatchNormMode::Eval, 1e-5, 0.9, kBiased}, false},
};

// The last two have 3267 and 2048 values per channel: their sums are split over 3 and 2 blocks.
const Shape kShapes[] = {{2, 3, 5, 5},  {1, 5, 7, 6},   {2, 7, 1, 1},   {6, 5},
                         {3, 33, 4, 3}, {3, 5, 33, 33}, {8, 16, 16, 16}};

/// Tolerances for per-channel statistics over `m` values: float sums in a different order than
/// the CPU's double sums lose up to about m * 2^-24 of the sum's magnitude.
double atol_for(std::int64_t m) { return 1e-6 + 2e-7 * static_cast<double>(m); }
constexpr double kRtol = 1e-4;

void check_case(const Shape& s, const BnConfig& cfg, Rng& rng) {
    const std::int64_t C = s[1], m = s.numel() / C;
    const Tensor<float, Cpu> x = test::random_tensor<float>(s, rng, 1, 5);
    const Tensor<float, Cpu> gy = test::random_tensor<float>(s, rng);
    const Tensor<float, Cpu> gamma = cfg.affine ? test::random_tensor<float>({C}, rng, 0.5, 1.5) : Tensor<float, Cpu>();
    const Tensor<float, Cpu> beta = cfg.affine ? test::random_tensor<float>({C}, rng) : Tensor<float, Cpu>();
    const Tensor<float, Cpu> rm0 = test::random_tensor<float>({C}, rng, -0.5, 0.5);
    const Tensor<float, Cpu> rv0 = test::random_tensor<float>({C}, rng, 0.5, 1.5);
    const bool running = cfg.p.mode != BatchNormMode::TrainNoRunningUpdate;

    Context<Cpu> cpu_ctx(1);
    Tensor<float, Cpu> rm_cpu = rm0.clone(), rv_cpu = rv0.clone();
    Tensor<float, Cpu> y_cpu(s), mean_cpu({C}), inv_std_cpu({C}), none_cpu;
    cpu::batch_norm_forward(cpu_ctx, cfg.p, x, gamma, beta, running ? rm_cpu : none_cpu, running ? rv_cpu : none_cpu,
                            y_cpu, mean_cpu, inv_std_cpu);
    Tensor<float, Cpu> gx_cpu = Tensor<float, Cpu>::full(s, 0.5f);
    Tensor<float, Cpu> ggamma_cpu = Tensor<float, Cpu>::full({C}, 0.25f),
                       gbeta_cpu = Tensor<float, Cpu>::full({C}, -0.5f);
    cpu::batch_norm_backward(cpu_ctx, cfg.p.mode, x, gamma, mean_cpu, inv_std_cpu, gy, gx_cpu, ggamma_cpu, gbeta_cpu);

    Context<Cuda> ctx(1);
    const Tensor<float, Cuda> xd = test::to_cuda(x), gyd = test::to_cuda(gy);
    const Tensor<float, Cuda> gamma_d = cfg.affine ? test::CudaGuarded<float>(gamma).tensor : Tensor<float, Cuda>();
    const Tensor<float, Cuda> beta_d = cfg.affine ? test::CudaGuarded<float>(beta).tensor : Tensor<float, Cuda>();

    // The public op: y, and the running statistics updated in place.
    Tensor<float, Cuda> rm_op = test::to_cuda(rm0), rv_op = test::to_cuda(rv0);
    const Tensor<float, Cuda> y_op = ops::batch_norm(ctx, xd, gamma_d, beta_d, rm_op, rv_op, cfg.p);
    ENAS_REQUIRE_CUDA_CLOSE("forward y (op)", y_op, y_cpu, atol_for(m), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("running_mean (op)", rm_op, running ? rm_cpu : rm0, atol_for(m), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("running_var (op)", rv_op, running ? rv_cpu : rv0, atol_for(m), kRtol);

    // The launcher, writing into guarded buffers.
    test::CudaGuarded<float> rm(rm0), rv(rv0), y(s), mean({C}), inv_std({C});
    Tensor<float, Cuda> none;
    cuda::batch_norm_forward(ctx, cfg.p, xd, gamma_d, beta_d, running ? rm.tensor : none, running ? rv.tensor : none,
                             y.tensor, mean.tensor, inv_std.tensor);
    ENAS_REQUIRE_CUDA_CLOSE("forward y (guarded)", y.tensor, y_cpu, atol_for(m), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("saved mean", mean.tensor, mean_cpu, atol_for(m), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("saved inv_std", inv_std.tensor, inv_std_cpu, atol_for(m), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("running_mean (guarded)", rm.tensor, running ? rm_cpu : rm0, atol_for(m), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("running_var (guarded)", rv.tensor, running ? rv_cpu : rv0, atol_for(m), kRtol);
    for (const auto* g : {&rm, &rv, &y, &mean, &inv_std}) ENAS_REQUIRE_BANDS_INTACT(*g);

    // The backward from the CPU's saved statistics (so that only the backward is compared), all
    // three gradients at once, then each one alone.
    const Tensor<float, Cuda> mean_d = test::to_cuda(mean_cpu), inv_std_d = test::to_cuda(inv_std_cpu);
    test::CudaGuarded<float> gx(s, 0.5f), ggamma({C}, 0.25f), gbeta({C}, -0.5f);
    cuda::batch_norm_backward(ctx, cfg.p.mode, xd, gamma_d, mean_d, inv_std_d, gyd, gx.tensor, ggamma.tensor,
                              gbeta.tensor);
    ENAS_REQUIRE_CUDA_CLOSE("backward gx (+= 0.5)", gx.tensor, gx_cpu, atol_for(m), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("backward ggamma (+= 0.25)", ggamma.tensor, ggamma_cpu, atol_for(m), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("backward gbeta (+= -0.5)", gbeta.tensor, gbeta_cpu, atol_for(m), kRtol);
    for (const auto* g : {&gx, &ggamma, &gbeta}) ENAS_REQUIRE_BANDS_INTACT(*g);
    for (int only = 0; only < 3; ++only) {
        test::CudaGuarded<float> gx1(s, 0.5f), ggamma1({C}, 0.25f), gbeta1({C}, -0.5f);
        Tensor<float, Cuda> gx_arg = only == 0 ? gx1.tensor : Tensor<float, Cuda>();
        Tensor<float, Cuda> ggamma_arg = only == 1 ? ggamma1.tensor : Tensor<float, Cuda>();
        Tensor<float, Cuda> gbeta_arg = only == 2 ? gbeta1.tensor : Tensor<float, Cuda>();
        cuda::batch_norm_backward(ctx, cfg.p.mode, xd, gamma_d, mean_d, inv_std_d, gyd, gx_arg, ggamma_arg, gbeta_arg);
        const char* label[] = {"backward gx alone", "backward ggamma alone", "backward gbeta alone"};
        const test::CudaGuarded<float>* got[] = {&gx1, &ggamma1, &gbeta1};
        const Tensor<float, Cpu>* want[] = {&gx_cpu, &ggamma_cpu, &gbeta_cpu};
        ENAS_REQUIRE_CUDA_CLOSE(label[only], got[only]->tensor, *want[only], atol_for(m), kRtol);
        ENAS_REQUIRE_BANDS_INTACT(*got[only]);
    }
}

}  // namespace

TEST_CASE("batch_norm on the Cuda device matches the CPU kernels in every mode", "[cuda][batchnorm]") {
    Rng rng(5);
    for (const Shape& s : kShapes) {
        for (const BnConfig& cfg : kConfigs) {
            if (cfg.p.variance_update == kUnbiased && s.numel() / s[1] < 2) continue;  // needs two values
            INFO(s.str() << " " << cfg.name());
            std::printf("batch_norm %s %s\n", s.str().c_str(), cfg.name().c_str());
            check_case(s, cfg, rng);
        }
    }
}

TEST_CASE("batch_norm backward through the tape matches on both devices", "[cuda][batchnorm]") {
    const Shape s{3, 5, 4, 3};
    Rng rng(24);
    const Tensor<float, Cpu> x = test::random_tensor<float>(s, rng, 1, 5), gy = test::random_tensor<float>(s, rng);
    const Tensor<float, Cpu> gamma = test::random_tensor<float>({5}, rng, 0.5, 1.5),
                             beta = test::random_tensor<float>({5}, rng);
    const BatchNormParams p{BatchNormMode::Train, 1e-5, 0.9, kBiased};

    Context<Cpu> cpu_ctx(1);
    Tape<Cpu> cpu_tape(cpu_ctx);
    Tensor<float, Cpu> rm_cpu = Tensor<float, Cpu>::zeros({5}), rv_cpu = Tensor<float, Cpu>::full({5}, 1.0f);
    Var<float, Cpu> xc(x, true), gc(gamma, true), bc(beta, true);
    Var<float, Cpu> yc = ops::batch_norm(cpu_tape, xc, gc, bc, rm_cpu, rv_cpu, p);
    cpu_tape.backward(yc, gy);

    Context<Cuda> ctx(1);
    Tape<Cuda> tape(ctx);
    Tensor<float, Cuda> rm = test::to_cuda(Tensor<float, Cpu>::zeros({5})),
                        rv = test::to_cuda(Tensor<float, Cpu>::full({5}, 1.0f));
    Var<float, Cuda> xd(test::to_cuda(x), true), gd(test::to_cuda(gamma), true), bd(test::to_cuda(beta), true);
    Var<float, Cuda> yd = ops::batch_norm(tape, xd, gd, bd, rm, rv, p);
    tape.backward(yd, test::to_cuda(gy));
    std::printf("batch_norm on the tape, %s train\n", s.str().c_str());
    ENAS_REQUIRE_CUDA_CLOSE("forward", yd.value(), yc.value(), atol_for(36), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("running_mean", rm, rm_cpu, atol_for(36), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("running_var", rv, rv_cpu, atol_for(36), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("d/dx", xd.grad(), xc.grad(), atol_for(36), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("d/dgamma", gd.grad(), gc.grad(), atol_for(36), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("d/dbeta", bd.grad(), bc.grad(), atol_for(36), kRtol);
}

TEST_CASE("Cuda batch norm rejects batch statistics of an empty batch before any launch", "[cuda][batchnorm]") {
    Context<Cuda> ctx;
    const std::int64_t C = 3;
    const Tensor<float, Cuda> x = ctx.empty<float>({0, C, 4, 4});
    const Tensor<float, Cuda> gamma = ctx.zeros<float>({C}), beta = ctx.zeros<float>({C});
    Tensor<float, Cuda> rm = ctx.zeros<float>({C}), rv = ctx.zeros<float>({C}), y = ctx.empty<float>({0, C, 4, 4});
    Tensor<float, Cuda> mean = ctx.empty<float>({C}), inv_std = ctx.empty<float>({C});
    BatchNormParams p;
    p.mode = BatchNormMode::Train;
    REQUIRE_THROWS_AS(cuda::batch_norm_forward(ctx, p, x, gamma, beta, rm, rv, y, mean, inv_std), ShapeError);
    // Eval mode uses the running statistics: an empty batch is fine and leaves them untouched.
    p.mode = BatchNormMode::Eval;
    cuda::batch_norm_forward(ctx, p, x, gamma, beta, rm, rv, y, mean, inv_std);
    CHECK(rm.to_vector() == std::vector<float>(C, 0.0f));
}
