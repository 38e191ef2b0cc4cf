// The pool family on the Cuda device (cuda/pool.cu) against the CPU kernels: average and max
// pooling, forward and backward, SAME and VALID, overlapping (stride < kernel) and disjoint
// windows, windows larger than the image, batch 1, channel counts off multiples of 4 / 32. Max
// pooling is also run on inputs full of ties, where the first maximum in row-major window order
// must win on both devices (the argmax indices must match exactly). Outputs start poisoned,
// gradient buffers start nonzero (the kernels accumulate) inside guard bands.
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>

#include "cuda_compare.hpp"
#include "enas/backend/cuda/pool.hpp"
#include "enas/ops/pool.hpp"

using namespace enas;

namespace {

struct PoolCase {
    std::int64_t n, c, h, w;
    Pool2dParams p;

    Shape x_shape() const { return {n, c, h, w}; }
    Shape y_shape() const {
        return {n, c, pool_axis(h, p.kernel_h, p.stride_h, p.padding).out,
                pool_axis(w, p.kernel_w, p.stride_w, p.padding).out};
    }
    std::string name() const {
        std::ostringstream os;
        os << "x[" << n << "," << c << "," << h << "," << w << "] k" << p.kernel_h << "x" << p.kernel_w << " s"
           << p.stride_h << "x" << p.stride_w << " " << padding_name(p.padding);
        return os.str();
    }
};

const PoolCase kCases[] = {
    {2, 3, 5, 5, {3, 3, 1, 1, Padding::Same}},   {1, 5, 7, 6, {3, 3, 2, 2, Padding::Same}},
    {2, 4, 8, 9, {2, 2, 2, 2, Padding::Same}},   {2, 3, 9, 8, {2, 3, 1, 2, Padding::Same}},
    {1, 6, 3, 4, {5, 5, 1, 1, Padding::Same}},   {2, 5, 8, 7, {3, 3, 1, 1, Padding::Valid}},
    {1, 33, 9, 9, {3, 3, 2, 2, Padding::Valid}}, {2, 3, 7, 7, {1, 1, 3, 3, Padding::Valid}},    // skipped inputs
    {1, 1, 1, 1, {3, 3, 1, 1, Padding::Same}},   {4, 20, 16, 16, {3, 3, 1, 1, Padding::Same}},  // typical
};

constexpr double kAtol = 1e-6, kRtol = 1e-5;  // a handful of adds and one scale per element

/// Values in {-1, -0.5, 0, 0.5, 1}: max-pool windows full of ties.
Tensor<float, Cpu> tied_tensor(const Shape& shape, Rng& rng) {
    Tensor<float, Cpu> t = test::random_tensor<float>(shape, rng);
    for (std::int64_t i = 0; i < t.numel(); ++i) t.data()[i] = std::round(t.data()[i] * 2.0f) / 2.0f;
    return t;
}

void check_case(const PoolCase& k, const Tensor<float, Cpu>& x, Rng& rng) {
    const Shape y_shape = k.y_shape();
    const Tensor<float, Cpu> gy = test::random_tensor<float>(y_shape, rng);
    Context<Cpu> cpu_ctx(1);
    const Tensor<float, Cpu> avg_cpu = ops::avg_pool2d(cpu_ctx, x, k.p);
    const auto max_cpu = ops::max_pool2d_with_argmax(cpu_ctx, x, k.p);
    Tensor<float, Cpu> gx_avg_cpu = Tensor<float, Cpu>::full(k.x_shape(), 0.5f);
    Tensor<float, Cpu> gx_max_cpu = Tensor<float, Cpu>::full(k.x_shape(), -0.25f);
    cpu::avg_pool2d_backward(cpu_ctx, k.p, gy, gx_avg_cpu);
    cpu::max_pool2d_backward(cpu_ctx, max_cpu.argmax, gy, gx_max_cpu);

    Context<Cuda> ctx(1);
    const Tensor<float, Cuda> xd = test::to_cuda(x), gyd = test::to_cuda(gy);
    ENAS_REQUIRE_CUDA_CLOSE("avg forward (op)", ops::avg_pool2d(ctx, xd, k.p), avg_cpu, kAtol, kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("max forward (op)", ops::max_pool2d(ctx, xd, k.p), max_cpu.y, 0.0, 0.0);
    const auto max_d = ops::max_pool2d_with_argmax(ctx, xd, k.p);
    ENAS_REQUIRE_CUDA_CLOSE("max forward with argmax", max_d.y, max_cpu.y, 0.0, 0.0);
    REQUIRE(max_d.argmax.to_vector() == max_cpu.argmax.to_vector());

    test::CudaGuarded<float> avg_guarded(y_shape), max_guarded(y_shape);
    test::CudaGuarded<std::int32_t> arg_guarded(y_shape);
    Tensor<std::int32_t, Cuda> no_argmax;
    cuda::avg_pool2d_forward(ctx, k.p, xd, avg_guarded.tensor);
    cuda::max_pool2d_forward(ctx, k.p, xd, max_guarded.tensor, no_argmax);
    ENAS_REQUIRE_CUDA_CLOSE("avg forward (guarded)", avg_guarded.tensor, avg_cpu, kAtol, kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("max forward (guarded, no argmax)", max_guarded.tensor, max_cpu.y, 0.0, 0.0);
    cuda::max_pool2d_forward(ctx, k.p, xd, max_guarded.tensor, arg_guarded.tensor);
    REQUIRE(arg_guarded.tensor.to_vector() == max_cpu.argmax.to_vector());
    ENAS_REQUIRE_BANDS_INTACT(avg_guarded);
    ENAS_REQUIRE_BANDS_INTACT(max_guarded);
    ENAS_REQUIRE_BANDS_INTACT(arg_guarded);

    test::CudaGuarded<float> gx_avg(k.x_shape(), 0.5f), gx_max(k.x_shape(), -0.25f);
    cuda::avg_pool2d_backward(ctx, k.p, gyd, gx_avg.tensor);
    cuda::max_pool2d_backward(ctx, max_d.argmax, gyd, gx_max.tensor);
    ENAS_REQUIRE_CUDA_CLOSE("avg backward (+= 0.5)", gx_avg.tensor, gx_avg_cpu, kAtol, kRtol);
    // Deterministic, in the CPU's order (no float atomics): bit-exact.
    ENAS_REQUIRE_CUDA_CLOSE("max backward (+= -0.25)", gx_max.tensor, gx_max_cpu, 0.0, 0.0);
    ENAS_REQUIRE_BANDS_INTACT(gx_avg);
    ENAS_REQUIRE_BANDS_INTACT(gx_max);
}

}  // namespace

TEST_CASE("avg and max pooling on the Cuda device match the CPU kernels", "[cuda][pool]") {
    for (const PoolCase& k : kCases) {
        INFO(k.name());
        std::printf("pool %s\n", k.name().c_str());
        Rng rng(static_cast<std::uint64_t>(k.n * 7919 + k.c * 131 + k.h * 17 + k.p.kernel_h * 5 + k.p.stride_h));
        check_case(k, test::random_tensor<float>(k.x_shape(), rng), rng);
    }
}

TEST_CASE("max pooling picks the first maximum of tied windows on both devices", "[cuda][pool]") {
    for (const PoolCase& k : {kCases[0], kCases[1], kCases[4], kCases[6]}) {
        INFO(k.name());
        std::printf("pool with ties %s\n", k.name().c_str());
        Rng rng(99);
        check_case(k, tied_tensor(k.x_shape(), rng), rng);
    }
}

TEST_CASE("pool backward through the tape matches on both devices", "[cuda][pool]") {
    const PoolCase k{2, 5, 7, 6, {3, 3, 2, 1, Padding::Same}};
    Rng rng(23);
    const Tensor<float, Cpu> x = test::random_tensor<float>(k.x_shape(), rng);
    Context<Cpu> cpu_ctx(1);
    Context<Cuda> ctx(1);
    const Tensor<float, Cpu> gy = test::random_tensor<float>(k.y_shape(), rng);
    for (bool max_pool : {false, true}) {
        Tape<Cpu> cpu_tape(cpu_ctx);
        Var<float, Cpu> xc(x, true);
        Var<float, Cpu> yc = max_pool ? ops::max_pool2d(cpu_tape, xc, k.p) : ops::avg_pool2d(cpu_tape, xc, k.p);
        cpu_tape.backward(yc, gy);
        Tape<Cuda> tape(ctx);
        Var<float, Cuda> xd(test::to_cuda(x), true);
        Var<float, Cuda> yd = max_pool ? ops::max_pool2d(tape, xd, k.p) : ops::avg_pool2d(tape, xd, k.p);
        tape.backward(yd, test::to_cuda(gy));
        std::printf("%s pool on the tape, %s\n", max_pool ? "max" : "avg", k.name().c_str());
        ENAS_REQUIRE_CUDA_CLOSE("forward", yd.value(), yc.value(), kAtol, kRtol);
        ENAS_REQUIRE_CUDA_CLOSE("d/dx", xd.grad(), xc.grad(), kAtol, kRtol);
    }
}
