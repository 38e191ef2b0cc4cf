#include "enas/autograd/grad_check.hpp"
#include "enas/ops/conv.hpp"
#include "naive/conv.hpp"
#include "test_needs.hpp"
#include "test_utils.hpp"

using namespace enas;
using test::Guarded;

namespace {

std::string describe(const naive::ConvProblem& p) {
    std::ostringstream os;
    os << "x [" << p.n << ", " << p.c_in << ", " << p.h << ", " << p.w << "] -> " << p.c_out << " channels, kernel "
       << p.kh << "x" << p.kw << ", stride (" << p.sh << ", " << p.sw << "), " << (p.same ? "SAME" : "VALID");
    return os.str();
}

Conv2dParams params_of(const naive::ConvProblem& p) {
    return Conv2dParams{static_cast<int>(p.sh), static_cast<int>(p.sw), p.same ? Padding::Same : Padding::Valid};
}

// Awkward sizes: odd and non-square images, channel counts off multiples of 4 / 8, batch 1, even
// kernels (asymmetric SAME pads), strides 2 and (2, 1), a kernel larger than the image (SAME), the
// micro aux head's 2x2 kernel on a 2x2 input, and a macro-sized case that runs in parallel over
// several row blocks.
const naive::ConvProblem kProblems[] = {
    {2, 3, 5, 5, 4, 3, 3, 1, 1, true},  {1, 5, 7, 6, 7, 3, 3, 2, 2, true},     {3, 4, 6, 7, 5, 1, 1, 1, 1, true},
    {2, 3, 9, 8, 2, 1, 1, 2, 2, true},  {2, 6, 9, 11, 3, 5, 5, 1, 1, true},    {1, 3, 9, 10, 5, 5, 5, 2, 2, true},
    {2, 4, 7, 9, 3, 2, 2, 1, 1, true},  {2, 7, 2, 2, 9, 2, 2, 1, 1, true},     {1, 3, 8, 9, 4, 4, 3, 2, 1, true},
    {2, 3, 3, 4, 2, 5, 5, 1, 1, true},  {2, 5, 8, 7, 3, 3, 3, 1, 1, false},    {1, 4, 9, 9, 6, 5, 5, 2, 2, false},
    {2, 3, 6, 5, 4, 1, 3, 1, 2, false}, {3, 36, 32, 32, 36, 3, 3, 1, 1, true}, {2, 20, 16, 16, 40, 5, 5, 2, 2, true},
};

using cpu::conv_detail::ConvGemm;
using cpu::conv_detail::ConvTuning;
using cpu::conv_detail::ImplicitGemm;
constexpr std::int64_t kDefaultBlock = cpu::conv_detail::kColBlockBytes;

/// Runs the three passes through the given backward-input path, GEMM and block size and compares
/// them with the naive reference. Outputs start as NaN, gradients at nonzero values (accumulation).
template <class T>
void check_against_naive(const naive::ConvProblem& p, bool col2im_input, const ConvTuning& tuning, double atol,
                         double rtol) {
    Context<Cpu> ctx(1);
    Rng rng(static_cast<std::uint64_t>(p.n * 1000 + p.c_in * 100 + p.kh * 10 + p.sh));
    const Tensor<T, Cpu> x = test::random_tensor<T>(p.x_shape(), rng);
    const Tensor<T, Cpu> w = test::random_tensor<T>(p.w_shape(p.c_in), rng);
    const Tensor<T, Cpu> gy = test::random_tensor<T>(p.y_shape(), rng);
    const naive::ConvReference ref = naive::conv_reference(p, false, x, w, gy);
    const ConvGeometry g = conv_geometry(x.shape(), w.shape(), params_of(p));
    REQUIRE(g.output_shape() == p.y_shape());

    Guarded<T> y(p.y_shape()), gx(p.x_shape(), T(0.5)), gw(p.w_shape(p.c_in), T(-0.25));
    cpu::conv_detail::im2col_gemm<T>(ctx, g, x.data(), w.data(), false, y.tensor.data(), tuning);
    if (col2im_input || p.sh != 1 || p.sw != 1)
        cpu::conv_detail::backward_input_col2im<T>(ctx, g, gy.data(), w.data(), gx.tensor.data(), tuning);
    else
        cpu::conv_detail::backward_input_stride1<T>(ctx, g, gy.data(), w.data(), gx.tensor.data(), tuning);
    cpu::conv_detail::backward_weight<T>(ctx, g, x.data(), gy.data(), gw.tensor.data(), tuning);

    Tensor<double, Cpu> gx_ref = ref.gx.clone(), gw_ref = ref.gw.clone();
    for (std::int64_t i = 0; i < gx_ref.numel(); ++i) gx_ref.data()[i] += 0.5;
    for (std::int64_t i = 0; i < gw_ref.numel(); ++i) gw_ref.data()[i] -= 0.25;
    ENAS_REQUIRE_CLOSE(y.tensor, ref.y, atol, rtol);
    ENAS_REQUIRE_CLOSE(gx.tensor, gx_ref, atol, rtol);
    ENAS_REQUIRE_CLOSE(gw.tensor, gw_ref, atol, rtol);
    REQUIRE(y.guard_intact());
    REQUIRE(gx.guard_intact());
    REQUIRE(gw.guard_intact());
}

}  // namespace

TEST_CASE("SAME and VALID padding follow TensorFlow's arithmetic", "[conv]") {
    struct Row {
        std::int64_t in, k, stride;
        Padding padding;
        std::int64_t out, before, after;
    };
    const Row rows[] = {
        {32, 3, 1, Padding::Same, 32, 1, 1}, {32, 3, 2, Padding::Same, 16, 0, 1}, {7, 3, 2, Padding::Same, 4, 1, 1},
        {2, 2, 1, Padding::Same, 2, 0, 1},   {32, 5, 1, Padding::Same, 32, 2, 2}, {32, 1, 2, Padding::Same, 16, 0, 0},
        {8, 4, 1, Padding::Same, 8, 1, 2},   {3, 5, 1, Padding::Same, 3, 2, 2},   {9, 5, 2, Padding::Same, 5, 2, 2},
        {8, 5, 3, Padding::Valid, 2, 0, 0},  {8, 3, 1, Padding::Valid, 6, 0, 0},  {5, 5, 2, Padding::Valid, 1, 0, 0},
    };
    for (const Row& r : rows) {
        INFO("in " << r.in << " k " << r.k << " stride " << r.stride << " " << padding_name(r.padding));
        const PaddedExtent e = padded_extent(r.in, r.k, r.stride, r.padding);
        CHECK(e.out == r.out);
        CHECK(e.pad_before == r.before);
        CHECK(e.pad_after == r.after);
    }
    ENAS_REQUIRE_THROWS(padded_extent(4, 5, 1, Padding::Valid), ShapeError,
                        Catch::Matchers::Contains("input 4") && Catch::Matchers::Contains("kernel 5"));
    ENAS_REQUIRE_THROWS(padded_extent(4, 3, 0, Padding::Same), ValueError, Catch::Matchers::Contains("stride 0"));
}

TEST_CASE("conv2d kernels match the naive reference (float, BLAS GEMM)", "[conv]") {
    for (const naive::ConvProblem& p : kProblems) {
        INFO(describe(p));
        std::printf("%s\n", describe(p).c_str());
        check_against_naive<float>(p, false, {kDefaultBlock, ConvGemm::Blas}, 1e-4, 1e-4);
        check_against_naive<float>(p, true, {kDefaultBlock, ConvGemm::Blas}, 1e-4, 1e-4);
        check_against_naive<float>(p, true, {1, ConvGemm::Blas}, 1e-4, 1e-4);  // one output row per block
    }
}

TEST_CASE("conv2d kernels match the naive reference (float, AVX-512 GEMM)", "[conv][needs-avx512]") {
    REQUIRE(test::missing_need("avx512").empty());
    for (const naive::ConvProblem& p : kProblems) {
        INFO(describe(p));
        std::printf("%s\n", describe(p).c_str());
        check_against_naive<float>(p, false, {kDefaultBlock, ConvGemm::Avx512, ImplicitGemm::Always}, 1e-4, 1e-4);
        check_against_naive<float>(p, false, {kDefaultBlock, ConvGemm::Avx512, ImplicitGemm::Never}, 1e-4, 1e-4);
        check_against_naive<float>(p, true, {kDefaultBlock, ConvGemm::Avx512, ImplicitGemm::Never}, 1e-4, 1e-4);
        check_against_naive<float>(p, false, {1, ConvGemm::Avx512, ImplicitGemm::Never}, 1e-4, 1e-4);
    }
}

TEST_CASE("conv2d kernels match the naive reference (double)", "[conv]") {
    for (const naive::ConvProblem& p : kProblems) {
        INFO(describe(p));
        check_against_naive<double>(p, false, {1, ConvGemm::Auto}, 1e-12, 1e-12);
        check_against_naive<double>(p, true, {kDefaultBlock, ConvGemm::Auto}, 1e-12, 1e-12);
    }
}

TEST_CASE("conv2d public kernels pick the right backward path for each stride", "[conv]") {
    Context<Cpu> ctx(2);
    Rng rng(9);
    for (const naive::ConvProblem& p :
         {naive::ConvProblem{2, 3, 7, 6, 4, 3, 3, 1, 1, true}, naive::ConvProblem{2, 3, 7, 6, 4, 3, 3, 2, 2, true},
          naive::ConvProblem{1, 5, 6, 6, 3, 1, 1, 1, 1, false}}) {
        INFO(describe(p));
        const auto x = test::random_tensor<float>(p.x_shape(), rng),
                   w = test::random_tensor<float>(p.w_shape(p.c_in), rng);
        const auto gy = test::random_tensor<float>(p.y_shape(), rng);
        const naive::ConvReference ref = naive::conv_reference(p, false, x, w, gy);
        Guarded<float> gx(p.x_shape(), 0.f), gw(p.w_shape(p.c_in), 0.f);
        const Tensor<float, Cpu> y = ops::conv2d(ctx, x, w, params_of(p));
        cpu::conv2d_backward_input(ctx, params_of(p), gy, w, gx.tensor);
        cpu::conv2d_backward_weight(ctx, params_of(p), x, gy, gw.tensor);
        ENAS_REQUIRE_CLOSE(y, ref.y, 1e-5, 1e-4);
        ENAS_REQUIRE_CLOSE(gx.tensor, ref.gx, 1e-5, 1e-4);
        ENAS_REQUIRE_CLOSE(gw.tensor, ref.gw, 1e-5, 1e-4);
        REQUIRE((gx.guard_intact() && gw.guard_intact()));
    }
}

TEST_CASE("conv2d passes the gradient check", "[conv][gradcheck]") {
    Rng rng(21);
    const naive::ConvProblem problems[] = {
        {2, 3, 5, 5, 4, 3, 3, 1, 1, true}, {2, 3, 6, 7, 2, 3, 3, 2, 2, true},  {1, 2, 5, 6, 3, 2, 2, 1, 1, true},
        {2, 3, 5, 4, 2, 1, 1, 1, 1, true}, {1, 2, 6, 7, 2, 5, 5, 1, 2, false},
    };
    for (const naive::ConvProblem& p : problems) {
        INFO(describe(p));
        auto x = Var<double, Cpu>(test::random_tensor<double>(p.x_shape(), rng), true);
        auto w = Var<double, Cpu>(test::random_tensor<double>(p.w_shape(p.c_in), rng), true);
        ENAS_REQUIRE_GRADCHECK(grad_check([&](Tape<Cpu>& t) { return ops::conv2d(t, x, w, params_of(p)); }, {x, w}));
    }
}

TEST_CASE("conv2d backward accumulates into existing gradients and skips inputs without one", "[conv]") {
    Context<Cpu> ctx(4);
    Rng rng(8);
    const naive::ConvProblem p{2, 3, 6, 5, 4, 3, 3, 2, 1, true};
    Var<double, Cpu> x(test::random_tensor<double>(p.x_shape(), rng), true);
    Var<double, Cpu> w(test::random_tensor<double>(p.w_shape(p.c_in), rng), true);
    Var<double, Cpu> w_frozen(w.value(), false);
    const auto gy = test::random_tensor<double>(p.y_shape(), rng);
    const naive::ConvReference ref = naive::conv_reference(p, false, x.value(), w.value(), gy);
    x.grad() = Tensor<double, Cpu>::full(p.x_shape(), 1.5);
    w.grad() = Tensor<double, Cpu>::full(p.w_shape(p.c_in), -2.0);
    Tape<Cpu> tape(ctx);
    auto y = ops::conv2d(tape, x, w, params_of(p));
    tape.backward(y, gy);
    tape.clear();
    auto y2 = ops::conv2d(tape, x, w_frozen, params_of(p));
    tape.backward(y2, gy);
    Tensor<double, Cpu> gx_ref = ref.gx.clone(), gw_ref = ref.gw.clone();
    for (std::int64_t i = 0; i < gx_ref.numel(); ++i) gx_ref.data()[i] = 1.5 + 2 * gx_ref.data()[i];
    for (std::int64_t i = 0; i < gw_ref.numel(); ++i) gw_ref.data()[i] -= 2.0;
    ENAS_REQUIRE_CLOSE(x.grad(), gx_ref, 1e-12, 1e-12);
    ENAS_REQUIRE_CLOSE(w.grad(), gw_ref, 1e-12, 1e-12);
    REQUIRE_FALSE(w_frozen.has_grad());
}

TEST_CASE("conv2d accepts non-contiguous inputs", "[conv]") {
    Context<Cpu> ctx(5);
    Rng rng(12);
    const auto big = test::random_tensor<float>({2, 6, 7, 7}, rng);
    const Tensor<float, Cpu> x = big.narrow(1, 2, 3);  // channels 2..4: a strided view
    REQUIRE_FALSE(x.is_contiguous());
    const auto w = test::random_tensor<float>({4, 3, 3, 3}, rng);
    ENAS_REQUIRE_CLOSE(ops::conv2d(ctx, x, w), ops::conv2d(ctx, x.clone(), w), 0.0, 0.0);
}

TEST_CASE("a repeated conv2d step allocates nothing new and leaves the GEMM threads as they were", "[conv]") {
    Context<Cpu> ctx(6);
    Rng rng(13);
    const int threads_before = cpu::gemm_num_threads();
    Var<float, Cpu> x(test::random_tensor<float>({4, 8, 16, 16}, rng), true);
    Var<float, Cpu> w(test::random_tensor<float>({8, 8, 3, 3}, rng), true);
    const auto gy = test::random_tensor<float>({4, 8, 8, 8}, rng);
    auto step = [&] {
        Tape<Cpu> tape(ctx);
        auto y = ops::conv2d(tape, x, w, Conv2dParams{2, 2, Padding::Same});
        auto z = ops::conv2d(tape, y, w, Conv2dParams{1, 1, Padding::Same});
        tape.backward(z, gy);
        x.zero_grad();
        w.zero_grad();
    };
    step();
    step();
    const auto fresh = ctx.allocator_stats().fresh_allocations;
    for (int i = 0; i < 3; ++i) step();
    REQUIRE(ctx.allocator_stats().fresh_allocations == fresh);
    REQUIRE(cpu::gemm_num_threads() == threads_before);
}

TEST_CASE("conv2d rejects bad shapes and parameters", "[conv][errors]") {
    Context<Cpu> ctx;
    const auto x = Tensor<float, Cpu>::full({2, 3, 5, 5}, 1.f), w = Tensor<float, Cpu>::full({4, 3, 3, 3}, 1.f);
    using Catch::Matchers::Contains;
    ENAS_REQUIRE_THROWS(ops::conv2d(ctx, Tensor<float, Cpu>::full({3, 5, 5}, 1.f), w), ShapeError,
                        Contains("rank 4") && Contains("[3, 5, 5]"));
    ENAS_REQUIRE_THROWS(ops::conv2d(ctx, x, Tensor<float, Cpu>::full({4, 3, 3}, 1.f)), ShapeError,
                        Contains("'w'") && Contains("[4, 3, 3]"));
    ENAS_REQUIRE_THROWS(ops::conv2d(ctx, x, Tensor<float, Cpu>::full({4, 2, 3, 3}, 1.f)), ShapeError,
                        Contains("[4, 2, 3, 3]") && Contains("[2, 3, 5, 5]"));
    ENAS_REQUIRE_THROWS(ops::conv2d(ctx, Tensor<float, Cpu>({0, 3, 5, 5}), w), ShapeError,
                        Contains("empty") && Contains("[0, 3, 5, 5]"));
    ENAS_REQUIRE_THROWS(ops::conv2d(ctx, x, w, Conv2dParams{0, 1, Padding::Same}), ValueError,
                        Contains("strides must be positive") && Contains("(0, 1)"));
    ENAS_REQUIRE_THROWS(
        ops::conv2d(ctx, x, Tensor<float, Cpu>::full({4, 3, 6, 3}, 1.f), Conv2dParams{1, 1, Padding::Valid}),
        ShapeError, Contains("input 5") && Contains("kernel 6"));
    REQUIRE_THROWS_AS(ops::conv2d(ctx, Tensor<float, Cpu>(), w), StateError);
}

TEST_CASE("conv2d backward-weight is bitwise reproducible across runs", "[conv]") {
    // Per-worker partial sums must cover the same items every run (WorkSplit::fixed), whatever
    // thread the OS delays; otherwise the float sum order, and the result, varies.
    Context<Cpu> ctx(3);
    Rng rng(21);
    for (const Shape& ws : {Shape{16, 12, 3, 3}, Shape{16, 12, 1, 1}, Shape{16, 12, 5, 5}}) {
        const Tensor<float, Cpu> x = test::random_tensor<float>(Shape{24, 12, 16, 16}, rng);
        const Tensor<float, Cpu> gy = test::random_tensor<float>(Shape{24, 16, 16, 16}, rng);
        std::vector<float> first;
        for (int run = 0; run < 6; ++run) {
            Tensor<float, Cpu> gw = Tensor<float, Cpu>::zeros(ws);
            cpu::conv2d_backward_weight(ctx, Conv2dParams{}, x, gy, gw);
            if (run == 0) first = gw.to_vector();
            INFO("weight " << ws.str() << ", run " << run);
            REQUIRE(gw.to_vector() == first);
        }
    }
}
