// The depthwise conv family on the Cuda device (cuda/depthwise_conv.cu) against the CPU kernels:
// forward, backward-input and backward-weight on random inputs, SAME and VALID, 3x3, 5x5, 7x7 and
// even kernels, strides 1, 2 and (2, 1), batch 1, channel counts off multiples of 4 / 32. Weights
// are read through a misaligned view into a larger buffer (as from a parameter arena); outputs
// start poisoned, gradient buffers start nonzero (the kernels accumulate) inside guard bands.
#include <cstdint>
#include <sstream>
#include <string>

#include "cuda_compare.hpp"
#include "enas/backend/cuda/depthwise_conv.hpp"
#include "enas/ops/depthwise_conv.hpp"

using namespace enas;

namespace {

struct DepthwiseCase {
    std::int64_t n, c, h, w, kh, kw;
    int sh, sw;
    Padding padding;

    Shape x_shape() const { return {n, c, h, w}; }
    Shape w_shape() const { return {c, 1, kh, kw}; }
    Conv2dParams params() const { return {sh, sw, padding}; }
    std::string name() const {
        std::ostringstream os;
        os << "x[" << n << "," << c << "," << h << "," << w << "] k" << kh << "x" << kw << " s" << sh << "x" << sw
           << " " << padding_name(padding);
        return os.str();
    }
};

const DepthwiseCase kCases[] = {
    {2, 3, 5, 5, 3, 3, 1, 1, Padding::Same},
    {1, 5, 7, 6, 3, 3, 2, 2, Padding::Same},
    {2, 6, 9, 11, 5, 5, 1, 1, Padding::Same},
    {1, 3, 8, 9, 4, 3, 2, 1, Padding::Same},
    {2, 4, 3, 4, 7, 7, 1, 1, Padding::Same},
    {2, 5, 8, 7, 3, 3, 1, 1, Padding::Valid},
    {1, 4, 9, 9, 5, 5, 2, 2, Padding::Valid},
    {2, 33, 6, 5, 1, 3, 1, 2, Padding::Valid},
    {1, 1, 1, 1, 3, 3, 1, 1, Padding::Same},
    {3, 20, 16, 16, 3, 3, 1, 1, Padding::Same},  // typical
    // Planes wider than one 32-column tile, taller than one 8-row tile (the plane launch's edges).
    {2, 3, 33, 35, 5, 5, 2, 2, Padding::Same},
    {1, 2, 20, 40, 3, 3, 1, 1, Padding::Valid},
};

/// Float tolerances for a sum of `terms` products of values in [-1, 1] added in different orders.
double atol_for(std::int64_t terms) { return 4e-7 * static_cast<double>(terms); }
constexpr double kRtol = 1e-4;

}  // namespace

TEST_CASE("depthwise_conv2d on the Cuda device matches the CPU kernels", "[cuda][depthwise_conv]") {
    for (const DepthwiseCase& k : kCases) {
        INFO(k.name());
        std::printf("depthwise_conv2d %s\n", k.name().c_str());
        Rng rng(static_cast<std::uint64_t>(k.n * 7919 + k.c * 131 + k.h * 17 + k.kh * 5 + k.sh));
        const Tensor<float, Cpu> x = test::random_tensor<float>(k.x_shape(), rng);
        const Tensor<float, Cpu> w = test::random_tensor<float>(k.w_shape(), rng);
        const ConvGeometry g = conv_geometry(k.x_shape(), k.w_shape(), k.params());
        const Tensor<float, Cpu> gy = test::random_tensor<float>(g.output_shape(), rng);

        Context<Cpu> cpu_ctx(1);
        const Tensor<float, Cpu> y_cpu = ops::depthwise_conv2d(cpu_ctx, x, w, k.params());
        Tensor<float, Cpu> gx_cpu = Tensor<float, Cpu>::full(k.x_shape(), 0.5f);
        Tensor<float, Cpu> gw_cpu = Tensor<float, Cpu>::full(k.w_shape(), -0.25f);
        cpu::depthwise_conv2d_backward_input(cpu_ctx, k.params(), gy, w, gx_cpu);
        cpu::depthwise_conv2d_backward_weight(cpu_ctx, k.params(), x, gy, gw_cpu);

        Context<Cuda> ctx(1);
        const Tensor<float, Cuda> xd = test::to_cuda(x), gyd = test::to_cuda(gy);
        const test::CudaGuarded<float> wd(w);
        const Tensor<float, Cuda> y = ops::depthwise_conv2d(ctx, xd, wd.tensor, k.params());
        ENAS_REQUIRE_CUDA_CLOSE("forward (op)", y, y_cpu, atol_for(g.kernel_area()), kRtol);

        test::CudaGuarded<float> y_guarded(g.output_shape());
        cuda::depthwise_conv2d_forward(ctx, k.params(), xd, wd.tensor, y_guarded.tensor);
        ENAS_REQUIRE_CUDA_CLOSE("forward (into a guarded buffer)", y_guarded.tensor, y_cpu, atol_for(g.kernel_area()),
                                kRtol);
        ENAS_REQUIRE_BANDS_INTACT(y_guarded);

        test::CudaGuarded<float> gx(k.x_shape(), 0.5f), gw(k.w_shape(), -0.25f);
        cuda::depthwise_conv2d_backward_input(ctx, k.params(), gyd, wd.tensor, gx.tensor);
        cuda::depthwise_conv2d_backward_weight(ctx, k.params(), xd, gyd, gw.tensor);
        ENAS_REQUIRE_CUDA_CLOSE("backward-input (+= 0.5)", gx.tensor, gx_cpu, atol_for(g.kernel_area()), kRtol);
        ENAS_REQUIRE_CUDA_CLOSE("backward-weight (+= -0.25)", gw.tensor, gw_cpu, atol_for(g.n * g.out_plane()), kRtol);
        ENAS_REQUIRE_BANDS_INTACT(gx);
        ENAS_REQUIRE_BANDS_INTACT(gw);
        ENAS_REQUIRE_BANDS_INTACT(wd);
    }
}

TEST_CASE("depthwise_conv2d backward through the tape matches on both devices", "[cuda][depthwise_conv]") {
    const DepthwiseCase k{2, 5, 7, 6, 3, 3, 2, 1, Padding::Same};
    Rng rng(22);
    const Tensor<float, Cpu> x = test::random_tensor<float>(k.x_shape(), rng);
    const Tensor<float, Cpu> w = test::random_tensor<float>(k.w_shape(), rng);
    const Shape y_shape = conv_geometry(k.x_shape(), k.w_shape(), k.params()).output_shape();
    const Tensor<float, Cpu> gy = test::random_tensor<float>(y_shape, rng);

    Context<Cpu> cpu_ctx(1);
    Tape<Cpu> cpu_tape(cpu_ctx);
    Var<float, Cpu> xc(x, true), wc(w, true);
    Var<float, Cpu> yc = ops::depthwise_conv2d(cpu_tape, xc, wc, k.params());
    cpu_tape.backward(yc, gy);

    Context<Cuda> ctx(1);
    Tape<Cuda> tape(ctx);
    Var<float, Cuda> xd(test::to_cuda(x), true), wd(test::to_cuda(w), true);
    Var<float, Cuda> yd = ops::depthwise_conv2d(tape, xd, wd, k.params());
    tape.backward(yd, test::to_cuda(gy));
    std::printf("depthwise_conv2d on the tape, %s\n", k.name().c_str());
    ENAS_REQUIRE_CUDA_CLOSE("forward", yd.value(), yc.value(), atol_for(9), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("d/dx", xd.grad(), xc.grad(), atol_for(9), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("d/dw", wd.grad(), wc.grad(), atol_for(2 * 28), kRtol);
}
