// Helpers for the CUDA backend tests (tests/cuda/test_cuda_F.cpp): the CPU kernel is the spec, so
// each test makes random CPU inputs, copies them to the Cuda device, runs the same op on both and
// compares. This header provides:
//   to_cuda / to_host                  copies between the devices;
//   CudaGuarded<T>                     a Cuda tensor in the middle of a larger device buffer whose
//                                      bands hold a sentinel (checked by bands_intact()); the view
//                                      starts kGuard = 61 elements in, so it is NOT 16-byte
//                                      aligned, as a view into a parameter arena need not be;
//   poison(t)                          fills a Cuda tensor with NaN (float) or -1 (int);
//   ENAS_REQUIRE_CUDA_CLOSE(label, cuda, cpu, atol, rtol)
//                                      compares, prints one line with the worst absolute and
//                                      relative error and where they are, fails on a mismatch;
//   ENAS_REQUIRE_BANDS_INTACT(guarded) the guard bands of a CudaGuarded are untouched;
//   require_var_op_matches(...)        a Var-level op forward + backward on both devices;
//   pick(tape, cpu_tensor, cuda_tensor) inside such an op: the copy on the tape's device.
// Fresh device allocations are NaN-poisoned by the emulator, but a context's caching allocator
// reuses blocks: run the Cuda side of a comparison on a fresh Context<Cuda> (or poison) so that an
// output element a kernel forgets to write cannot hold a stale correct value.
#pragma once
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "enas/autograd/tape.hpp"
#include "enas/core/context.hpp"
#include "test_utils.hpp"

namespace enas::test {

template <Element T>
Tensor<T, Cuda> to_cuda(const Tensor<T, Cpu>& t) {
    return t.template to<Cuda>();
}
template <Element T, Device D>
Tensor<T, Cpu> to_host(const Tensor<T, D>& t) {
    if constexpr (is_cpu_v<D>)
        return t.contiguous();
    else
        return t.template to<Cpu>();
}

/// The poison value of an element type: NaN for floats, -1 for integers.
template <Element T>
constexpr T poison_value() {
    if constexpr (std::is_floating_point_v<T>)
        return std::numeric_limits<T>::quiet_NaN();
    else
        return T(-1);
}

/// Fills a Cuda tensor (any strides) with poison.
template <Element T>
void poison(Tensor<T, Cuda>& t) {
    t.fill(poison_value<T>());
}

/// A Cuda tensor viewing the middle of a larger device buffer; both bands hold a sentinel.
template <Element T>
struct CudaGuarded {
    static constexpr std::int64_t kGuard = 61;  // odd: the view is misaligned for vector loads
    static constexpr T kSentinel = T(-12345);
    Tensor<T, Cuda> buffer;
    Tensor<T, Cuda> tensor;

    /// The view is filled with poison (NaN / -1).
    explicit CudaGuarded(const Shape& shape) : CudaGuarded(shape, poison_value<T>()) {}
    /// The view is filled with `value` (e.g. a nonzero start for a gradient buffer).
    CudaGuarded(const Shape& shape, T value) : buffer(Shape{shape.numel() + 2 * kGuard}) {
        buffer.fill(kSentinel);
        tensor = buffer.narrow(0, kGuard, shape.numel()).view(shape);
        tensor.fill(value);
    }
    /// The view holds a copy of `initial`.
    explicit CudaGuarded(const Tensor<T, Cpu>& initial) : CudaGuarded(initial.shape(), T(0)) {
        tensor.copy_from(initial);
    }

    /// Empty when both bands still hold the sentinel, else where the first overwrite is.
    std::string band_damage() const {
        const Tensor<T, Cpu> host = buffer.template to<Cpu>();
        const std::int64_t n = host.numel();
        for (std::int64_t i = 0; i < n; ++i) {
            if (i >= kGuard && i < n - kGuard) continue;
            if (host.data()[i] != kSentinel) {
                std::ostringstream os;
                os << (i < kGuard ? "front" : "back") << " guard band overwritten at "
                   << (i < kGuard ? i - kGuard : i - (n - kGuard)) << " elements " << (i < kGuard ? "before" : "after")
                   << " the view: " << +host.data()[i];
                return os.str();
            }
        }
        return {};
    }
    bool bands_intact() const { return band_damage().empty(); }
};

/// "[i, j, k]" for flat index `flat` of a row-major `shape`.
inline std::string index_string(const Shape& shape, std::int64_t flat) {
    if (flat < 0) return "[-]";
    std::int64_t idx[Shape::kMaxRank] = {};
    for (int d = shape.rank() - 1; d >= 0; --d) {
        const std::int64_t extent = shape[d] > 0 ? shape[d] : 1;
        idx[d] = flat % extent;
        flat /= extent;
    }
    std::ostringstream os;
    os << '[';
    for (int d = 0; d < shape.rank(); ++d) os << (d ? ", " : "") << idx[d];
    os << ']';
    return os.str();
}

/// The result of comparing a Cuda tensor with its CPU reference.
struct CudaComparison {
    Comparison elementwise;  // from test::compare: ok, mismatches, first mismatches listed
    double worst_abs = 0;    // largest |cuda - cpu| (inf for a NaN)
    std::int64_t worst_abs_at = -1;
    double worst_rel = 0;  // largest |cuda - cpu| / |cpu| over elements with |cpu| >= 1e-6
    std::int64_t worst_rel_at = -1;
    std::string line;  // "max abs err ... at [...], max rel err ... at [...]"
};

/// |cuda - cpu| <= atol + rtol * |cpu| elementwise (a NaN fails), with the worst errors located.
template <Element T, Device D1, Device D2>
CudaComparison compare_devices(const Tensor<T, D1>& actual, const Tensor<T, D2>& expected, double atol, double rtol) {
    CudaComparison c;
    const Tensor<T, Cpu> a = to_host(actual), e = to_host(expected);
    c.elementwise = compare(a, e, atol, rtol);
    if (a.shape() == e.shape()) {
        for (std::int64_t i = 0; i < a.numel(); ++i) {
            const double x = static_cast<double>(a.data()[i]), r = static_cast<double>(e.data()[i]);
            double err = std::fabs(x - r);
            if (std::isnan(err)) err = std::numeric_limits<double>::infinity();
            if (c.worst_abs_at < 0 || err > c.worst_abs) c.worst_abs = err, c.worst_abs_at = i;
            if (std::fabs(r) >= 1e-6 && (c.worst_rel_at < 0 || err / std::fabs(r) > c.worst_rel))
                c.worst_rel = err / std::fabs(r), c.worst_rel_at = i;
        }
    }
    char buffer[256];
    std::snprintf(buffer, sizeof buffer, "max abs err %.3g at %s, max rel err %.3g at %s", c.worst_abs,
                  index_string(a.shape(), c.worst_abs_at).c_str(), c.worst_rel,
                  index_string(a.shape(), c.worst_rel_at).c_str());
    c.line = buffer;
    return c;
}

}  // namespace enas::test

/// Compares `cuda_tensor` (any device) with the CPU result `cpu_tensor`: prints one line
/// "  <label>: max abs err .. at [..], max rel err .. at [..]" and fails on a mismatch.
#define ENAS_REQUIRE_CUDA_CLOSE(label, cuda_tensor, cpu_tensor, atol, rtol)                               \
    do {                                                                                                  \
        const auto enas_cc_ = ::enas::test::compare_devices((cuda_tensor), (cpu_tensor), (atol), (rtol)); \
        std::printf("  %-44s %s%s\n", std::string(label).c_str(), enas_cc_.line.c_str(),                  \
                    enas_cc_.elementwise.ok ? "" : "  MISMATCH");                                         \
        INFO(std::string(label) << ": " << enas_cc_.elementwise.report);                                  \
        REQUIRE(enas_cc_.elementwise.ok);                                                                 \
    } while (0)

/// Requires both guard bands of a CudaGuarded to be untouched, naming the first damage.
#define ENAS_REQUIRE_BANDS_INTACT(guarded)                        \
    do {                                                          \
        const std::string enas_damage_ = (guarded).band_damage(); \
        INFO(#guarded ": " << enas_damage_);                      \
        REQUIRE(enas_damage_.empty());                            \
    } while (0)

namespace enas::test {

/// For a generic op lambda: the CPU or the Cuda copy of a tensor, whichever lives on the tape's
/// device (labels, indices, anything that is not one of the compared Var inputs).
template <Device D, Element T>
const Tensor<T, D>& pick(const Tape<D>&, const Tensor<T, Cpu>& on_cpu, const Tensor<T, Cuda>& on_cuda) {
    if constexpr (is_cpu_v<D>)
        return on_cpu;
    else
        return on_cuda;
}

/// Runs a Var-level op on both devices and compares everything: `op(tape, vars)` is a generic
/// lambda (Tape<D>&, std::vector<Var<float, D>>&) -> Var<float, D>, called once with D = Cpu and
/// once with D = Cuda on copies of `inputs`. Then backward with one random upstream gradient.
/// Gradient buffers start at 0.5 (backward must accumulate); on the Cuda side they are guarded
/// views (bands checked). Each device gets a fresh Context seeded with `seed` (the same random
/// stream on both, and fresh, NaN-poisoned device memory). Prints one line for the output and one
/// per input gradient; `requires_grad` (default: all) says which inputs get a gradient.
template <class Op>
void require_var_op_matches(const std::string& label, const std::vector<Tensor<float, Cpu>>& inputs, Op op, double atol,
                            double rtol, std::uint64_t seed = 1, std::vector<bool> requires_grad = {}) {
    if (requires_grad.empty()) requires_grad.assign(inputs.size(), true);
    Context<Cpu> cpu_ctx(seed);
    Context<Cuda> cuda_ctx(seed);
    Tape<Cpu> cpu_tape(cpu_ctx);
    Tape<Cuda> cuda_tape(cuda_ctx);
    std::vector<Var<float, Cpu>> cpu_vars;
    std::vector<Var<float, Cuda>> cuda_vars;
    std::vector<CudaGuarded<float>> cuda_grads;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        cpu_vars.emplace_back(inputs[i].clone(), requires_grad[i]);
        cuda_vars.emplace_back(to_cuda(inputs[i]), requires_grad[i]);
        if (!requires_grad[i]) continue;
        cpu_vars.back().grad() = Tensor<float, Cpu>::full(inputs[i].shape(), 0.5f);
        cuda_grads.emplace_back(inputs[i].shape(), 0.5f);
        cuda_vars.back().grad() = cuda_grads.back().tensor;
    }
    Var<float, Cpu> cpu_out = op(cpu_tape, cpu_vars);
    Var<float, Cuda> cuda_out = op(cuda_tape, cuda_vars);
    ENAS_REQUIRE_CUDA_CLOSE(label + " forward", cuda_out.value(), cpu_out.value(), atol, rtol);
    if (!cpu_out.requires_grad()) return;
    Rng rng(seed + 1000);
    const Tensor<float, Cpu> upstream = random_tensor<float>(cpu_out.shape(), rng);
    cpu_tape.backward(cpu_out, upstream);
    cuda_tape.backward(cuda_out, to_cuda(upstream));
    std::size_t guarded = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!requires_grad[i]) continue;
        ENAS_REQUIRE_CUDA_CLOSE(label + " grad of input " + std::to_string(i), cuda_vars[i].grad(), cpu_vars[i].grad(),
                                atol, rtol);
        ENAS_REQUIRE_BANDS_INTACT(cuda_grads[guarded]);
        REQUIRE(cuda_vars[i].grad().shares_storage(cuda_grads[guarded].tensor));  // accumulated in place
        ++guarded;
    }
}

}  // namespace enas::test
