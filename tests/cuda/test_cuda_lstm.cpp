// The fused LSTM cell on the Cuda device (cuda/lstm.cu) against the CPU kernels: forward (gates,
// h, c) and backward (dx, dh_prev, dc_prev, dw) on random inputs, for the controller's sizes
// (batch 1, H = 64) and awkward ones: widths off multiples of 4 / 32, H above one block of units,
// I + H above one shared-memory chunk, batch > 1. The backward runs with dh only, dc only and
// both, and with each gradient requested alone. W is read through a misaligned view into a larger
// buffer (as from a parameter arena); outputs start poisoned, gradient buffers start nonzero (the
// backward accumulates) inside guard bands.
#include <cstdint>
#include <sstream>
#include <string>

#include "cuda_compare.hpp"
#include "enas/backend/cuda/lstm.hpp"
#include "enas/ops/lstm.hpp"

using namespace enas;

namespace {

struct LstmCase {
    std::int64_t batch, in, hidden;
    std::string name() const {
        std::ostringstream os;
        os << "B=" << batch << " I=" << in << " H=" << hidden;
        return os.str();
    }
};

const LstmCase kCases[] = {
    {1, 64, 64},                                         // the controller
    {1, 1, 1},     {3, 5, 7}, {2, 33, 17}, {5, 3, 130},  // two blocks of units
    {1, 1100, 20},                                       // [x, h_prev] in two shared-memory chunks
};

/// Tolerances for dot products of `terms` products of values in [-1, 1] added in different orders
/// (and the CPU's polynomial sigmoid / tanh, relative error under 3e-7).
double atol_for(std::int64_t terms) { return 1e-6 + 4e-7 * static_cast<double>(terms); }
constexpr double kRtol = 1e-4;

struct Inputs {
    Tensor<float, Cpu> x, h_prev, c_prev, w, dh, dc;
    explicit Inputs(const LstmCase& k, Rng& rng)
        : x(test::random_tensor<float>({k.batch, k.in}, rng)),
          h_prev(test::random_tensor<float>({k.batch, k.hidden}, rng)),
          c_prev(test::random_tensor<float>({k.batch, k.hidden}, rng)),
          w(test::random_tensor<float>({k.in + k.hidden, 4 * k.hidden}, rng, -0.3, 0.3)),
          dh(test::random_tensor<float>({k.batch, k.hidden}, rng)),
          dc(test::random_tensor<float>({k.batch, k.hidden}, rng)) {}
};

/// Gradient buffers pre-filled with nonzero values; `want` says which ones the backward gets.
template <class G>
struct Grads {
    G dx, dh_prev, dc_prev, dw;
    Grads(const LstmCase& k)
        : dx(Shape{k.batch, k.in}, 0.5f), dh_prev(Shape{k.batch, k.hidden}, -0.25f),
          dc_prev(Shape{k.batch, k.hidden}, 0.75f), dw(Shape{k.in + k.hidden, 4 * k.hidden}, -0.5f) {}
};

struct CpuBuffer {
    Tensor<float, Cpu> tensor;
    CpuBuffer(const Shape& s, float v) : tensor(Tensor<float, Cpu>::full(s, v)) {}
};

void check_backward(const LstmCase& k, const Inputs& in, bool use_dh, bool use_dc, int only) {
    std::ostringstream label;
    label << (use_dh ? "dh" : "") << (use_dh && use_dc ? "+" : "") << (use_dc ? "dc" : "")
          << (only < 0    ? ", all gradients"
              : only == 0 ? ", dx alone"
              : only == 1 ? ", dh_prev alone"
              : only == 2 ? ", dc_prev alone"
                          : ", dw alone");
    auto wanted = [only](int which) { return only < 0 || only == which; };

    Context<Cpu> cpu_ctx(1);
    Tensor<float, Cpu> gates_cpu({k.batch, 4 * k.hidden}), h_cpu({k.batch, k.hidden}), c_cpu({k.batch, k.hidden});
    cpu::lstm_cell_forward(cpu_ctx, in.x, in.h_prev, in.c_prev, in.w, gates_cpu, h_cpu, c_cpu);
    Grads<CpuBuffer> gc(k);
    cpu::lstm_cell_backward(cpu_ctx, in.x, in.h_prev, in.c_prev, in.w, gates_cpu, c_cpu, use_dh ? &in.dh : nullptr,
                            use_dc ? &in.dc : nullptr, wanted(0) ? &gc.dx.tensor : nullptr,
                            wanted(1) ? &gc.dh_prev.tensor : nullptr, wanted(2) ? &gc.dc_prev.tensor : nullptr,
                            wanted(3) ? &gc.dw.tensor : nullptr);

    Context<Cuda> ctx(1);
    const Tensor<float, Cuda> x = test::to_cuda(in.x), h_prev = test::to_cuda(in.h_prev);
    const Tensor<float, Cuda> c_prev = test::to_cuda(in.c_prev), dh = test::to_cuda(in.dh), dc = test::to_cuda(in.dc);
    const test::CudaGuarded<float> w(in.w);
    // The backward reads the CPU's saved gates and c, so that only the backward is compared.
    const Tensor<float, Cuda> gates = test::to_cuda(gates_cpu), c = test::to_cuda(c_cpu);
    Grads<test::CudaGuarded<float>> gd(k);
    cuda::lstm_cell_backward(ctx, x, h_prev, c_prev, w.tensor, gates, c, use_dh ? &dh : nullptr, use_dc ? &dc : nullptr,
                             wanted(0) ? &gd.dx.tensor : nullptr, wanted(1) ? &gd.dh_prev.tensor : nullptr,
                             wanted(2) ? &gd.dc_prev.tensor : nullptr, wanted(3) ? &gd.dw.tensor : nullptr);
    const std::string l = label.str();
    ENAS_REQUIRE_CUDA_CLOSE("dx (+= 0.5), " + l, gd.dx.tensor, gc.dx.tensor, atol_for(4 * k.hidden), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("dh_prev (+= -0.25), " + l, gd.dh_prev.tensor, gc.dh_prev.tensor, atol_for(4 * k.hidden),
                            kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("dc_prev (+= 0.75), " + l, gd.dc_prev.tensor, gc.dc_prev.tensor, atol_for(1), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("dw (+= -0.5), " + l, gd.dw.tensor, gc.dw.tensor, atol_for(k.batch), kRtol);
    for (const auto* g : {&gd.dx, &gd.dh_prev, &gd.dc_prev, &gd.dw}) ENAS_REQUIRE_BANDS_INTACT(*g);
    ENAS_REQUIRE_BANDS_INTACT(w);
}

}  // namespace

TEST_CASE("lstm_cell on the Cuda device matches the CPU kernels", "[cuda][lstm]") {
    for (const LstmCase& k : kCases) {
        INFO(k.name());
        std::printf("lstm_cell %s\n", k.name().c_str());
        Rng rng(static_cast<std::uint64_t>(k.batch * 1000 + k.in * 10 + k.hidden));
        const Inputs in(k, rng);
        const std::int64_t depth = k.in + k.hidden;

        Context<Cpu> cpu_ctx(1);
        const auto want = ops::lstm_cell(cpu_ctx, in.x, in.h_prev, in.c_prev, in.w);
        Tensor<float, Cpu> gates_cpu({k.batch, 4 * k.hidden}), h_cpu({k.batch, k.hidden}), c_cpu({k.batch, k.hidden});
        cpu::lstm_cell_forward(cpu_ctx, in.x, in.h_prev, in.c_prev, in.w, gates_cpu, h_cpu, c_cpu);

        Context<Cuda> ctx(1);
        const Tensor<float, Cuda> x = test::to_cuda(in.x), h_prev = test::to_cuda(in.h_prev);
        const Tensor<float, Cuda> c_prev = test::to_cuda(in.c_prev);
        const test::CudaGuarded<float> w(in.w);
        const auto got = ops::lstm_cell(ctx, x, h_prev, c_prev, w.tensor);
        ENAS_REQUIRE_CUDA_CLOSE("forward h (op)", got.h, want.h, atol_for(depth), kRtol);
        ENAS_REQUIRE_CUDA_CLOSE("forward c (op)", got.c, want.c, atol_for(depth), kRtol);

        test::CudaGuarded<float> gates({k.batch, 4 * k.hidden}), h({k.batch, k.hidden}), c({k.batch, k.hidden});
        cuda::lstm_cell_forward(ctx, x, h_prev, c_prev, w.tensor, gates.tensor, h.tensor, c.tensor);
        ENAS_REQUIRE_CUDA_CLOSE("forward gates (guarded)", gates.tensor, gates_cpu, atol_for(depth), kRtol);
        ENAS_REQUIRE_CUDA_CLOSE("forward h (guarded)", h.tensor, h_cpu, atol_for(depth), kRtol);
        ENAS_REQUIRE_CUDA_CLOSE("forward c (guarded)", c.tensor, c_cpu, atol_for(depth), kRtol);
        for (const auto* g : {&gates, &h, &c}) ENAS_REQUIRE_BANDS_INTACT(*g);
        ENAS_REQUIRE_BANDS_INTACT(w);

        check_backward(k, in, true, true, -1);
        check_backward(k, in, true, false, -1);
        check_backward(k, in, false, true, -1);
        for (int only = 0; only < 4; ++only) check_backward(k, in, true, true, only);
    }
}

TEST_CASE("lstm_cell backward through the tape matches on both devices", "[cuda][lstm]") {
    const LstmCase k{2, 9, 12};
    Rng rng(25);
    const Inputs in(k, rng);
    Context<Cpu> cpu_ctx(1);
    Tape<Cpu> cpu_tape(cpu_ctx);
    Var<float, Cpu> xc(in.x, true), hc(in.h_prev, true), cc(in.c_prev, true), wc(in.w, true);
    auto outc = ops::lstm_cell(cpu_tape, xc, hc, cc, wc);
    cpu_tape.backward(outc.h, in.dh);  // only h is used downstream: dc is absent

    Context<Cuda> ctx(1);
    Tape<Cuda> tape(ctx);
    Var<float, Cuda> xd(test::to_cuda(in.x), true), hd(test::to_cuda(in.h_prev), true);
    Var<float, Cuda> cd(test::to_cuda(in.c_prev), true), wd(test::to_cuda(in.w), true);
    auto outd = ops::lstm_cell(tape, xd, hd, cd, wd);
    tape.backward(outd.h, test::to_cuda(in.dh));
    std::printf("lstm_cell on the tape, %s\n", k.name().c_str());
    ENAS_REQUIRE_CUDA_CLOSE("h", outd.h.value(), outc.h.value(), atol_for(21), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("c", outd.c.value(), outc.c.value(), atol_for(21), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("d/dx", xd.grad(), xc.grad(), atol_for(48), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("d/dh_prev", hd.grad(), hc.grad(), atol_for(48), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("d/dc_prev", cd.grad(), cc.grad(), atol_for(1), kRtol);
    ENAS_REQUIRE_CUDA_CLOSE("d/dw", wd.grad(), wc.grad(), atol_for(2), kRtol);
}
