// A public central-difference gradient checker (in double, on the CPU). It compares the
// gradients a Tape computes with (f(x + eps) - f(x - eps)) / (2 eps) for every element of every
// input that requires a gradient. Non-scalar outputs are reduced with fixed random weights, so
// every output element matters. The context's RNG is reset before each evaluation, so ops that
// draw random numbers (dropout) see the same draws every time.
#pragma once
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "enas/autograd/tape.hpp"

namespace enas {

struct GradCheckOptions {
    double eps = 1e-6;           ///< finite-difference step
    double atol = 1e-6;          ///< absolute tolerance
    double rtol = 1e-5;          ///< relative tolerance (of the larger of the two values)
    std::uint64_t seed = 12345;  ///< seeds the output weights and the context RNG
};

struct GradCheckResult {
    bool ok = true;
    double max_abs_error = 0;
    double max_rel_error = 0;
    std::size_t worst_input = 0;       ///< index into the inputs of the worst element
    std::int64_t worst_element = -1;   ///< flat index of the worst element
    double analytic = 0, numeric = 0;  ///< the two values at the worst element
    std::string message;               ///< a one-line report
};

/// Checks the gradients of `f(tape) -> Var<double, Cpu>` with respect to `inputs`.
template <class F>
GradCheckResult grad_check(F&& f, std::vector<Var<double, Cpu>> inputs, const GradCheckOptions& opt = {}) {
    Context<Cpu> ctx(opt.seed);
    const Rng initial_rng = ctx.rng();
    Tape<Cpu> tape(ctx);

    for (auto& v : inputs) v.zero_grad();
    Var<double, Cpu> out = f(tape);
    Rng weights_rng(opt.seed ^ 0x9E3779B97F4A7C15ull);
    std::vector<double> w(static_cast<std::size_t>(out.value().numel()));
    for (double& x : w) x = weights_rng.uniform(-1.0f, 1.0f);
    const Tensor<double, Cpu> weights = Tensor<double, Cpu>::from_vector(out.shape(), w);

    auto objective = [&]() {
        ctx.rng() = initial_rng;
        NoGrad<Cpu> no_grad(tape);
        const Tensor<double, Cpu> o = f(tape).value().contiguous();
        double s = 0;
        for (std::int64_t i = 0; i < o.numel(); ++i) s += o.data()[i] * w[static_cast<std::size_t>(i)];
        return s;
    };

    tape.backward(out, weights);
    GradCheckResult r;
    double worst_excess = -1;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        Var<double, Cpu>& in = inputs[k];
        if (!in.requires_grad()) continue;
        check<StateError>(in.value().is_contiguous(), "grad_check: input ", k, " must be contiguous");
        const std::vector<double> analytic =
            in.has_grad() ? in.grad().to_vector()
                          : std::vector<double>(static_cast<std::size_t>(in.value().numel()), 0.0);
        double* x = in.value().data();
        for (std::int64_t i = 0; i < in.value().numel(); ++i) {
            const double saved = x[i];
            x[i] = saved + opt.eps;
            const double plus = objective();
            x[i] = saved - opt.eps;
            const double minus = objective();
            x[i] = saved;
            const double numeric = (plus - minus) / (2 * opt.eps);
            const double a = analytic[static_cast<std::size_t>(i)];
            const double abs_err = std::fabs(a - numeric);
            const double scale = std::max(std::fabs(a), std::fabs(numeric));
            const double rel_err = abs_err / std::max(scale, 1e-12);
            const double allowed = opt.atol + opt.rtol * scale;
            r.max_abs_error = std::max(r.max_abs_error, abs_err);
            if (scale > opt.atol) r.max_rel_error = std::max(r.max_rel_error, rel_err);
            if (abs_err - allowed > worst_excess) {
                worst_excess = abs_err - allowed;
                r.worst_input = k;
                r.worst_element = i;
                r.analytic = a;
                r.numeric = numeric;
            }
            if (abs_err > allowed) r.ok = false;
        }
    }
    std::ostringstream os;
    os << (r.ok ? "gradients match" : "GRADIENT MISMATCH") << ": max abs error " << r.max_abs_error
       << ", max rel error " << r.max_rel_error << "; worst at input " << r.worst_input << " element "
       << r.worst_element << " (analytic " << r.analytic << ", numeric " << r.numeric << ")";
    r.message = os.str();
    return r;
}

}  // namespace enas
