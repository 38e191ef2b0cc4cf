// The dense conv family on the Cuda device (cuda/conv.cu, the implicit-GEMM kernels) against the
// CPU kernels: forward, backward-input and backward-weight on random inputs, SAME and VALID, 1x1,
// strided, even and oversized kernels, batch 1, channel counts off multiples of 4 / 32 and above
// one 64-wide tile, and a case long enough to split the weight gradient over blocks. Weights are
// read through a misaligned view into a larger buffer (as from a parameter arena); outputs start
// poisoned, gradient buffers start nonzero (the kernels accumulate) inside guard bands.
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>

#include "cuda_compare.hpp"
#include "enas/backend/cuda/conv.hpp"
#include "enas/ops/conv.hpp"

using namespace enas;

namespace {

struct ConvCase {
    std::int64_t n, c_in, h, w, c_out, kh, kw;
    int sh, sw;
    Padding padding;

    Shape x_shape() const { return {n, c_in, h, w}; }
    Shape w_shape() const { return {c_out, c_in, kh, kw}; }
    Conv2dParams params() const { return {sh, sw, padding}; }
    std::string name() const {
        std::ostringstream os;
        os << "x[" << n << "," << c_in << "," << h << "," << w << "] w[" << c_out << "," << c_in << "," << kh << ","
           << kw << "] s" << sh << "x" << sw << " " << padding_name(padding);
        return os.str();
    }
};

const ConvCase kCases[] = {
    {2, 3, 5, 5, 4, 3, 3, 1, 1, Padding::Same},   // 3x3, C = 3
    {1, 5, 7, 6, 7, 3, 3, 2, 2, Padding::Same},   // batch 1, stride 2, odd sizes
    {3, 4, 6, 7, 5, 1, 1, 1, 1, Padding::Same},   // 1x1 (pointwise)
    {2, 3, 9, 8, 2, 1, 1, 2, 2, Padding::Same},   // 1x1 stride 2 (factorized reduction)
    {2, 6, 9, 11, 3, 5, 5, 1, 1, Padding::Same},  // 5x5
    {1, 3, 8, 9, 4, 4, 3, 2, 1, Padding::Same},   // even kernel: asymmetric pads, stride (2, 1)
    {2, 7, 2, 2, 9, 2, 2, 1, 1, Padding::Same},   // 2x2 kernel on a 2x2 input (aux head)
    {2, 3, 3, 4, 2, 5, 5, 1, 1, Padding::Same},   // kernel larger than the image
    {2, 5, 8, 7, 3, 3, 3, 1, 1, Padding::Valid},
    {1, 4, 9, 9, 6, 5, 5, 2, 2, Padding::Valid},
    {2, 3, 6, 5, 4, 1, 3, 1, 2, Padding::Valid},
    {1, 33, 5, 5, 70, 3, 3, 1, 1, Padding::Same},    // C = 33 and 70: two row tiles of 64
    {3, 7, 23, 23, 9, 3, 3, 1, 1, Padding::Same},    // weight gradient split over 3 blocks, 100 k steps
    {2, 16, 12, 12, 24, 3, 3, 1, 1, Padding::Same},  // typical
};

/// Float tolerances for a sum of `terms` products of values in [-1, 1]: the two devices add in
/// different orders, so their rounding errors differ by up to about terms * 2^-24 * (partial sum).
double atol_for(std::int64_t terms) { return 4e-7 * static_cast<double>(terms); }
constexpr double kRtol = 1e-4;

}  // namespace

TEST_CASE("conv2d on the Cuda device matches the CPU kernels", "[cuda][conv]") {
    for (const ConvCase& k : kCases) {
        INFO(k.name());
        std::printf("conv2d %s\n", k.name().c_str());
        Rng rng(static_cast<std::uint64_t>(k.n * 7919 + k.c_in * 131 + k.h * 17 + k.kh * 5 + k.sh));
        const Tensor<float, Cpu> x = test::random_tensor<float>(k.x_shape(), rng);
        const Tensor<float, Cpu> w = test::random_tensor<float>(k.w_shape(), rng);
        const ConvGeometry g = conv_geometry(k.x_shape(), k.w_shape(), k.params());
        const Tensor<float, Cpu> gy = test::random_tensor<float>(g.output_shape(), rng);

        Context<Cpu> cpu_ctx(1);
        const Tensor<float, Cpu> y_cpu = ops::conv2d(cpu_ctx, x, w, k.params());
        Tensor<float, Cpu> gx_cpu = Tensor<float, Cpu>::full(k.x_shape(), 0.5f);
        Tensor<float, Cpu> gw_cpu = Tensor<float, Cpu>::full(k.w_shape(), -0.25f);
        cpu::conv2d_backward_input(cpu_ctx, k.params(), gy, w, gx_cpu);
        cpu::conv2d_backward_weight(cpu_ctx, k.params(), x, gy, gw_cpu);

        Context<Cuda> ctx(1);  // fresh: its outputs come from freshly poisoned device memory
        const Tensor<float, Cuda> xd = test::to_cuda(x), gyd = test::to_cuda(gy);
        const test::CudaGuarded<float> wd(w);  // a misaligned view, as into a parameter arena
        const Tensor<float, Cuda> y = ops::conv2d(ctx, xd, wd.tensor, k.params());
        ENAS_REQUIRE_CUDA_CLOSE("forward (op)", y, y_cpu, atol_for(g.patch_size()), kRtol);

        test::CudaGuarded<float> y_guarded(g.output_shape());  // poisoned, inside guard bands
        cuda::conv2d_forward(ctx, k.params(), xd, wd.tensor, y_guarded.tensor);
        ENAS_REQUIRE_CUDA_CLOSE("forward (into a guarded buffer)", y_guarded.tensor, y_cpu, atol_for(g.patch_size()),
                                kRtol);
        ENAS_REQUIRE_BANDS_INTACT(y_guarded);

        test::CudaGuarded<float> gx(k.x_shape(), 0.5f), gw(k.w_shape(), -0.25f);
        cuda::conv2d_backward_input(ctx, k.params(), gyd, wd.tensor, gx.tensor);
        cuda::conv2d_backward_weight(ctx, k.params(), xd, gyd, gw.tensor);
        ENAS_REQUIRE_CUDA_CLOSE("backward-input (+= 0.5)", gx.tensor, gx_cpu, atol_for(g.c_out * g.kernel_area()),
                                kRtol);
        ENAS_REQUIRE_CUDA_CLOSE("backward-weight (+= -0.25)", gw.tensor, gw_cpu, atol_for(g.n * g.out_plane()), kRtol);
        ENAS_REQUIRE_BANDS_INTACT(gx);
        ENAS_REQUIRE_BANDS_INTACT(gw);
        ENAS_REQUIRE_BANDS_INTACT(wd);
    }
}

TEST_CASE("conv2d backward through the tape matches on both devices", "[cuda][conv]") {
    const ConvCase k{2, 5, 7, 6, 6, 3, 3, 2, 1, Padding::Same};
    Rng rng(21);
    const Tensor<float, Cpu> x = test::random_tensor<float>(k.x_shape(), rng);
    const Tensor<float, Cpu> w = test::random_tensor<float>(k.w_shape(), rng);
    const Shape y_shape = conv_geometry(k.x_shape(), k.w_shape(), k.params()).output_shape();
    const Tensor<float, Cpu> gy = test::random_tensor<float>(y_shape, rng);

    Context<Cpu> cpu_ctx(1);
    Tape<Cpu> cpu_tape(cpu_ctx);
    Var<float, Cpu> xc(x, true), wc(w, true);
    Var<float, Cpu> yc = ops::conv2d(cpu_tape, xc, wc, k.params());
    cpu_tape.backward(yc, gy);

    Context<Cuda> ctx(1);
    Tape<Cuda> tape(ctx);
    Var<float, Cuda> xd(test::to_cuda(x), true), wd(test::to_cuda(w), true);
    Var<float, Cuda> yd = ops::conv2d(tape, xd, wd, k.params());
    tape.backward(yd, test::to_cuda(gy));
    std::printf("conv2d on the tape, %s\n", k.name().c_str());
    ENAS_REQUIRE_CUDA_CLOSE("forward", yd.value(), yc.value(), atol_for(45), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("d/dx", xd.grad(), xc.grad(), atol_for(54), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("d/dw", wd.grad(), wc.grad(), atol_for(2 * 28), kRtol);
}

TEST_CASE("the cuDNN conv path matches the CPU kernels, or says that the build has none", "[cuda][conv][cudnn]") {
    Context<Cuda> ctx(1);
    const ConvCase no_cudnn_case = kCases[0];
    if (!cuda::cudnn_conv_available()) {
        // Emulated builds and real builds without ENAS_CUDNN.
        REQUIRE_FALSE(ENAS_HAS_CUDNN);
        Tensor<float, Cuda> x({2, 3, 5, 5}), w({4, 3, 3, 3}), y({2, 4, 5, 5});
        ENAS_REQUIRE_THROWS(cuda::cudnn_conv2d_forward(ctx, no_cudnn_case.params(), x, w, y), DeviceError,
                            Catch::Matchers::Contains("no cuDNN"));
        ENAS_REQUIRE_THROWS(cuda::cudnn_conv2d_backward_input(ctx, no_cudnn_case.params(), y, w, x), DeviceError,
                            Catch::Matchers::Contains("no cuDNN"));
        ENAS_REQUIRE_THROWS(cuda::cudnn_conv2d_backward_weight(ctx, no_cudnn_case.params(), x, y, w), DeviceError,
                            Catch::Matchers::Contains("no cuDNN"));
        return;
    }
    // Symmetric pads, asymmetric SAME pads (a padded copy of x), VALID, 1x1 stride 2.
    for (const ConvCase& k : {kCases[0], kCases[1], kCases[3], kCases[5], kCases[9], kCases[13]}) {
        INFO(k.name());
        std::printf("cudnn conv2d %s\n", k.name().c_str());
        Rng rng(static_cast<std::uint64_t>(k.n * 31 + k.c_in * 7 + k.kh));
        const Tensor<float, Cpu> x = test::random_tensor<float>(k.x_shape(), rng);
        const Tensor<float, Cpu> w = test::random_tensor<float>(k.w_shape(), rng);
        const ConvGeometry g = conv_geometry(k.x_shape(), k.w_shape(), k.params());
        const Tensor<float, Cpu> gy = test::random_tensor<float>(g.output_shape(), rng);
        Context<Cpu> cpu_ctx(1);
        const Tensor<float, Cpu> y_cpu = ops::conv2d(cpu_ctx, x, w, k.params());
        Tensor<float, Cpu> gx_cpu = Tensor<float, Cpu>::full(k.x_shape(), 0.5f);
        Tensor<float, Cpu> gw_cpu = Tensor<float, Cpu>::full(k.w_shape(), -0.25f);
        cpu::conv2d_backward_input(cpu_ctx, k.params(), gy, w, gx_cpu);
        cpu::conv2d_backward_weight(cpu_ctx, k.params(), x, gy, gw_cpu);

        const Tensor<float, Cuda> xd = test::to_cuda(x), gyd = test::to_cuda(gy);
        const test::CudaGuarded<float> wd(w);
        test::CudaGuarded<float> y(g.output_shape()), gx(k.x_shape(), 0.5f), gw(k.w_shape(), -0.25f);
        cuda::cudnn_conv2d_forward(ctx, k.params(), xd, wd.tensor, y.tensor);
        cuda::cudnn_conv2d_backward_input(ctx, k.params(), gyd, wd.tensor, gx.tensor);
        cuda::cudnn_conv2d_backward_weight(ctx, k.params(), xd, gyd, gw.tensor);
        ENAS_REQUIRE_CUDA_CLOSE("cudnn forward", y.tensor, y_cpu, atol_for(g.patch_size()), kRtol);
        ENAS_REQUIRE_CUDA_CLOSE("cudnn backward-input (+= 0.5)", gx.tensor, gx_cpu, atol_for(g.c_out * g.kernel_area()),
                                kRtol);
        ENAS_REQUIRE_CUDA_CLOSE("cudnn backward-weight (+= -0.25)", gw.tensor, gw_cpu, atol_for(g.n * g.out_plane()),
                                kRtol);
        for (const auto* b : {&y, &gx, &gw}) ENAS_REQUIRE_BANDS_INTACT(*b);
    }
}
