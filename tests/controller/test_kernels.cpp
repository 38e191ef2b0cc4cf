// The controller's fused kernels: the float matrix kernels (compiled per CPU level) against the
// double templates on awkward sizes, and the fused LSTM step (forward and backward) against the
// naive reference cell of tests/support and the library's lstm_cell op.
#include "enas/controller/kernels.hpp"
#include "enas/ops/lstm.hpp"
#include "naive/lstm.hpp"
#include "test_utils.hpp"

using namespace enas;
using namespace enas::controller;

namespace {

std::vector<double> random_vector(std::size_t n, Rng& rng, double scale = 1.0) {
    std::vector<double> v(n);
    for (double& x : v) x = scale * (2.0 * rng.uniform() - 1.0);
    return v;
}
std::vector<float> to_float(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

void require_close(const std::vector<float>& got, const std::vector<double>& want, double tol, const char* what) {
    REQUIRE(got.size() == want.size());
    double worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i)
        worst = std::max(worst, std::fabs(got[i] - want[i]) / (1.0 + std::fabs(want[i])));
    INFO(what << ": worst scaled error " << worst);
    REQUIRE(worst < tol);
}

}  // namespace

TEST_CASE("float matrix kernels match the double templates on awkward sizes", "[controller]") {
    Rng rng(3);
    const int sizes[][2] = {{128, 256}, {64, 64}, {100, 400}, {200, 400}, {7, 13}, {1, 5}, {33, 6}, {64, 4}};
    for (const auto& size : sizes) {
        const int in = size[0], out = size[1];
        INFO("in " << in << " out " << out);
        const auto w = random_vector(static_cast<std::size_t>(in) * out, rng), x = random_vector(in, rng);
        const auto dy = random_vector(out, rng), y0 = random_vector(out, rng), x0 = random_vector(in, rng);
        const auto wf = to_float(w), xf = to_float(x), dyf = to_float(dy);
        {  // y += x·W
            std::vector<double> y = y0;
            std::vector<float> yf = to_float(y0);
            kernels::vec_mat_acc(x.data(), in, w.data(), out, y.data());
            kernels::vec_mat_acc(xf.data(), in, wf.data(), out, yf.data());
            require_close(yf, y, 1e-5, "vec_mat_acc");
        }
        {  // dx += W·dy
            std::vector<double> d = x0;
            std::vector<float> df = to_float(x0);
            kernels::mat_vec_acc(w.data(), in, out, dy.data(), d.data());
            kernels::mat_vec_acc(wf.data(), in, out, dyf.data(), df.data());
            require_close(df, d, 1e-5, "mat_vec_acc");
        }
        {  // W [out, in] read transposed: y += x·Wᵀ and dx += Wᵀ·dy
            std::vector<double> y = y0, d = x0;
            std::vector<float> yf = to_float(y0), df = to_float(x0);
            kernels::vec_mat_t_acc(x.data(), in, w.data(), out, y.data());
            kernels::vec_mat_t_acc(xf.data(), in, wf.data(), out, yf.data());
            kernels::mat_t_vec_acc(w.data(), in, out, dy.data(), d.data());
            kernels::mat_t_vec_acc(wf.data(), in, out, dyf.data(), df.data());
            require_close(yf, y, 1e-5, "vec_mat_t_acc");
            require_close(df, d, 1e-5, "mat_t_vec_acc");
        }
        for (int rows : {1, 3, 24}) {  // dW += Σ_t x_tᵀ dy_t, against rank-1 updates in double
            const auto xs = random_vector(static_cast<std::size_t>(rows) * in, rng);
            const auto dys = random_vector(static_cast<std::size_t>(rows) * out, rng);
            std::vector<double> dw = w;
            for (int t = 0; t < rows; ++t)
                for (int i = 0; i < in; ++i)
                    for (int o = 0; o < out; ++o)
                        dw[static_cast<std::size_t>(i * out + o)] +=
                            xs[static_cast<std::size_t>(t * in + i)] * dys[static_cast<std::size_t>(t * out + o)];
            std::vector<float> dwf = wf, dwf1 = wf;
            const auto xsf = to_float(xs), dysf = to_float(dys);
            kernels::outer_sum_acc(xsf.data(), dysf.data(), rows, in, out, dwf.data());
            for (int t = 0; t < rows; ++t)
                kernels::outer_acc(xsf.data() + t * in, in, dysf.data() + t * out, out, dwf1.data());
            require_close(dwf, dw, 1e-5, "outer_sum_acc");
            require_close(dwf1, dw, 1e-5, "outer_acc");
        }
    }
}

TEMPLATE_TEST_CASE("the fused LSTM step matches the naive cell, forward and backward", "[controller]", float, double) {
    using T = TestType;
    const double tol = std::is_same_v<T, float> ? 2e-6 : 1e-13;
    Rng rng(11);
    for (int h : {1, 7, 64, 100}) {
        INFO("H = " << h);
        const auto x = random_vector(static_cast<std::size_t>(h), rng),
                   hp = random_vector(static_cast<std::size_t>(h), rng);
        const auto cp = random_vector(static_cast<std::size_t>(h), rng, 2.0);
        const auto w = random_vector(static_cast<std::size_t>(8 * h * h), rng, 0.5);
        const auto gh = random_vector(static_cast<std::size_t>(h), rng),
                   gc = random_vector(static_cast<std::size_t>(h), rng);
        naive::LstmCellRef ref{1, h, h, x, hp, cp, w, {}, {}, {}, {}, {}, {}};
        ref.forward();
        ref.backward(gh, gc);

        std::vector<T> xh(static_cast<std::size_t>(2 * h)), wt(w.begin(), w.end()), cpt(cp.begin(), cp.end());
        for (int i = 0; i < h; ++i) {
            xh[static_cast<std::size_t>(i)] = static_cast<T>(x[static_cast<std::size_t>(i)]);
            xh[static_cast<std::size_t>(h + i)] = static_cast<T>(hp[static_cast<std::size_t>(i)]);
        }
        std::vector<T> saved(static_cast<std::size_t>(kernels::lstm_saved_size(h))), c(static_cast<std::size_t>(h)),
            hh(c);
        kernels::lstm_forward(xh.data(), wt.data(), h, cpt.data(), saved.data(), c.data(), hh.data());
        for (int j = 0; j < h; ++j) {
            REQUIRE(std::fabs(hh[static_cast<std::size_t>(j)] - ref.h[static_cast<std::size_t>(j)]) < tol);
            REQUIRE(std::fabs(c[static_cast<std::size_t>(j)] - ref.c[static_cast<std::size_t>(j)]) < tol * 4);
        }
        std::vector<T> ght(gh.begin(), gh.end()), gct(gc.begin(), gc.end()), dgates(static_cast<std::size_t>(4 * h));
        std::vector<T> dcp(static_cast<std::size_t>(h), T(0)), dx(dcp), dhp(dcp), dw(wt.size(), T(0));
        kernels::lstm_backward_gates(saved.data(), cpt.data(), ght.data(), gct.data(), h, dgates.data(), dcp.data());
        kernels::mat_vec_acc(wt.data(), h, 4 * h, dgates.data(), dx.data());
        kernels::mat_vec_acc(wt.data() + 4 * h * h, h, 4 * h, dgates.data(), dhp.data());
        kernels::outer_sum_acc(xh.data(), dgates.data(), 1, 2 * h, 4 * h, dw.data());
        auto close = [&](const std::vector<T>& got, const std::vector<double>& want, const char* what) {
            double worst = 0;
            for (std::size_t i = 0; i < got.size(); ++i)
                worst = std::max(worst, std::fabs(got[i] - want[i]) / (1 + std::fabs(want[i])));
            INFO(what << " worst " << worst);
            REQUIRE(worst < tol * 10);
        };
        close(dx, ref.dx, "dx");
        close(dhp, ref.dh_prev, "dh_prev");
        close(dcp, ref.dc_prev, "dc_prev");
        close(dw, ref.dw, "dw");
    }
    // And the library's lstm_cell op gives the same step.
    Context<Cpu> ctx(1);
    const int h = 64;
    auto x = test::random_tensor<T>(Shape{1, h}, rng), hp = test::random_tensor<T>(Shape{1, h}, rng);
    auto cp = test::random_tensor<T>(Shape{1, h}, rng), w = test::random_tensor<T>(Shape{2 * h, 4 * h}, rng, -0.5, 0.5);
    const auto out = ops::lstm_cell(ctx, x, hp, cp, w);
    std::vector<T> xh(static_cast<std::size_t>(2 * h)), saved(static_cast<std::size_t>(5 * h)),
        c(static_cast<std::size_t>(h)), hh(c);
    std::copy(x.data(), x.data() + h, xh.begin());
    std::copy(hp.data(), hp.data() + h, xh.begin() + h);
    kernels::lstm_forward(xh.data(), w.data(), h, cp.data(), saved.data(), c.data(), hh.data());
    for (int j = 0; j < h; ++j) REQUIRE(std::fabs(hh[static_cast<std::size_t>(j)] - out.h.data()[j]) < tol);
}
