// The ENAS recurrent highway node on the Cuda device (cuda/rnn_node.cu) against the CPU kernels:
// forward and backward for every activation (identity, relu, tanh, sigmoid) on random inputs,
// sizes that divide no block size, batch 1, widths off multiples of 4 / 32. The backward runs with
// all three gradients and with each one alone. Outputs start poisoned, gradient buffers start
// nonzero (the backward accumulates) inside guard bands.
#include <cstdint>
#include <string>

#include "cuda_compare.hpp"
#include "enas/backend/cuda/rnn_node.hpp"
#include "enas/ops/rnn_node.hpp"

using namespace enas;

namespace {

const Shape kShapes[] = {{1, 1}, {3, 5}, {2, 33}, {1, 1000}, {4, 100}};
const Activation kActivations[] = {Activation::Identity, Activation::Relu, Activation::Tanh, Activation::Sigmoid};

// Elementwise: a few operations per element, and the CPU's polynomial sigmoid / tanh (relative
// error under 3e-7) against the device's expf / tanhf.
constexpr double kAtol = 1e-6, kRtol = 1e-5;

}  // namespace

TEST_CASE("rnn_node on the Cuda device matches the CPU kernels", "[cuda][rnn_node]") {
    Rng rng(31);
    for (const Shape& s : kShapes) {
        for (Activation act : kActivations) {
            INFO(s.str() << " " << activation_name(act));
            std::printf("rnn_node %s %s\n", s.str().c_str(), activation_name(act));
            const Tensor<float, Cpu> sv = test::random_tensor<float>(s, rng),
                                     c_pre = test::random_tensor<float>(s, rng, -3, 3);
            const Tensor<float, Cpu> h_pre = test::random_tensor<float>(s, rng, -3, 3),
                                     gy = test::random_tensor<float>(s, rng);
            Context<Cpu> cpu_ctx(1);
            const Tensor<float, Cpu> out_cpu = ops::rnn_node(cpu_ctx, act, sv, c_pre, h_pre);

            Context<Cuda> ctx(1);
            const Tensor<float, Cuda> sd = test::to_cuda(sv), cd = test::to_cuda(c_pre), hd = test::to_cuda(h_pre);
            const Tensor<float, Cuda> gyd = test::to_cuda(gy);
            ENAS_REQUIRE_CUDA_CLOSE("forward (op)", ops::rnn_node(ctx, act, sd, cd, hd), out_cpu, kAtol, kRtol);
            test::CudaGuarded<float> out(s);
            cuda::rnn_node_forward(ctx, act, sd, cd, hd, out.tensor);
            ENAS_REQUIRE_CUDA_CLOSE("forward (guarded)", out.tensor, out_cpu, kAtol, kRtol);
            ENAS_REQUIRE_BANDS_INTACT(out);

            for (int only = -1; only < 3; ++only) {
                auto wanted = [only](int which) { return only < 0 || only == which; };
                Tensor<float, Cpu> ds_cpu = Tensor<float, Cpu>::full(s, 0.5f),
                                   dc_cpu = Tensor<float, Cpu>::full(s, -0.25f);
                Tensor<float, Cpu> dh_cpu = Tensor<float, Cpu>::full(s, 0.75f);
                cpu::rnn_node_backward(cpu_ctx, act, sv, c_pre, h_pre, gy, wanted(0) ? &ds_cpu : nullptr,
                                       wanted(1) ? &dc_cpu : nullptr, wanted(2) ? &dh_cpu : nullptr);
                test::CudaGuarded<float> ds(s, 0.5f), dc(s, -0.25f), dh(s, 0.75f);
                cuda::rnn_node_backward(ctx, act, sd, cd, hd, gyd, wanted(0) ? &ds.tensor : nullptr,
                                        wanted(1) ? &dc.tensor : nullptr, wanted(2) ? &dh.tensor : nullptr);
                const std::string which = only < 0    ? "all"
                                          : only == 0 ? "ds alone"
                                          : only == 1 ? "dc_pre alone"
                                                      : "dh_pre alone";
                ENAS_REQUIRE_CUDA_CLOSE("ds (+= 0.5), " + which, ds.tensor, ds_cpu, kAtol, kRtol);
                ENAS_REQUIRE_CUDA_CLOSE("dc_pre (+= -0.25), " + which, dc.tensor, dc_cpu, kAtol, kRtol);
                ENAS_REQUIRE_CUDA_CLOSE("dh_pre (+= 0.75), " + which, dh.tensor, dh_cpu, kAtol, kRtol);
                for (const auto* g : {&ds, &dc, &dh}) ENAS_REQUIRE_BANDS_INTACT(*g);
            }
        }
    }
}

TEST_CASE("rnn_node backward through the tape matches on both devices", "[cuda][rnn_node]") {
    const Shape s{3, 37};
    Rng rng(26);
    const Tensor<float, Cpu> sv = test::random_tensor<float>(s, rng), c_pre = test::random_tensor<float>(s, rng, -3, 3);
    const Tensor<float, Cpu> h_pre = test::random_tensor<float>(s, rng, -3, 3), gy = test::random_tensor<float>(s, rng);
    for (Activation act : kActivations) {
        Context<Cpu> cpu_ctx(1);
        Tape<Cpu> cpu_tape(cpu_ctx);
        Var<float, Cpu> sc(sv, true), cc(c_pre, true), hc(h_pre, true);
        Var<float, Cpu> yc = ops::rnn_node(cpu_tape, act, sc, cc, hc);
        cpu_tape.backward(yc, gy);
        Context<Cuda> ctx(1);
        Tape<Cuda> tape(ctx);
        Var<float, Cuda> sd(test::to_cuda(sv), true), cd(test::to_cuda(c_pre), true), hd(test::to_cuda(h_pre), true);
        Var<float, Cuda> yd = ops::rnn_node(tape, act, sd, cd, hd);
        tape.backward(yd, test::to_cuda(gy));
        std::printf("rnn_node on the tape, %s %s\n", s.str().c_str(), activation_name(act));
        ENAS_REQUIRE_CUDA_CLOSE("forward", yd.value(), yc.value(), kAtol, kRtol);
        ENAS_REQUIRE_CUDA_CLOSE("d/ds", sd.grad(), sc.grad(), kAtol, kRtol);
        ENAS_REQUIRE_CUDA_CLOSE("d/dc_pre", cd.grad(), cc.grad(), kAtol, kRtol);
        ENAS_REQUIRE_CUDA_CLOSE("d/dh_pre", hd.grad(), hc.grad(), kAtol, kRtol);
    }
}
