// Test helpers: seeded random inputs (nonzero), NaN-poisoned outputs with guard bands, and an
// elementwise comparison that reports the worst element and the first mismatches.
#pragma once
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "enas/core/context.hpp"

namespace enas::test {

/// Uniform values in [lo, hi), with |v| >= 1e-3 so that all-zero buffers cannot compare equal.
template <class T>
Tensor<T, Cpu> random_tensor(const Shape& shape, Rng& rng, double lo = -1.0, double hi = 1.0) {
    Tensor<T, Cpu> t(shape);
    for (std::int64_t i = 0; i < t.numel(); ++i) {
        double v = lo + (hi - lo) * rng.uniform();
        if (std::fabs(v) < 1e-3) v = v < 0 ? -1e-3 : 1e-3;
        t.data()[i] = static_cast<T>(v);
    }
    return t;
}

template <class To, class From>
Tensor<To, Cpu> cast(const Tensor<From, Cpu>& t) {
    Tensor<From, Cpu> c = t.contiguous();
    Tensor<To, Cpu> out(t.shape());
    for (std::int64_t i = 0; i < t.numel(); ++i) out.data()[i] = static_cast<To>(c.data()[i]);
    return out;
}

/// A tensor viewing the front of a larger buffer; the tail (the guard band) holds a sentinel
/// that `guard_intact` checks, and the tensor itself is pre-filled with NaN (poison).
template <class T>
struct Guarded {
    static constexpr std::int64_t kGuard = 64;
    static constexpr T kSentinel = T(-12345.5);
    Tensor<T, Cpu> buffer;
    Tensor<T, Cpu> tensor;

    explicit Guarded(const Shape& shape, T poison = std::numeric_limits<T>::quiet_NaN())
        : buffer(Shape{shape.numel() + kGuard}) {
        for (std::int64_t i = 0; i < buffer.numel(); ++i) buffer.data()[i] = i < shape.numel() ? poison : kSentinel;
        tensor = buffer.narrow(0, 0, shape.numel()).view(shape);
    }
    bool guard_intact() const {
        for (std::int64_t i = tensor.numel(); i < buffer.numel(); ++i)
            if (buffer.data()[i] != kSentinel) return false;
        return true;
    }
};

struct Comparison {
    bool ok = true;
    double max_abs = 0, max_rel = 0;
    std::int64_t worst = -1;
    std::int64_t mismatches = 0;
    std::string report;
};

/// Elementwise |a - ref| <= atol + rtol |ref| (a NaN anywhere fails); reports the worst element.
template <class A, class B>
Comparison compare(const Tensor<A, Cpu>& actual, const Tensor<B, Cpu>& expected, double atol, double rtol) {
    Comparison c;
    std::ostringstream os;
    if (!(actual.shape() == expected.shape())) {
        c.ok = false;
        c.report = "shape " + actual.shape().str() + " != expected " + expected.shape().str();
        return c;
    }
    const Tensor<A, Cpu> a = actual.contiguous();
    const Tensor<B, Cpu> e = expected.contiguous();
    double worst_excess = -std::numeric_limits<double>::infinity();
    for (std::int64_t i = 0; i < a.numel(); ++i) {
        const double x = static_cast<double>(a.data()[i]), r = static_cast<double>(e.data()[i]);
        const double err = std::fabs(x - r);
        const double allowed = atol + rtol * std::fabs(r);
        const bool bad = !(err <= allowed);  // a NaN fails
        const double excess = std::isnan(err) ? std::numeric_limits<double>::infinity() : err - allowed;
        if (excess > worst_excess) {
            worst_excess = excess;
            c.worst = i;
        }
        c.max_abs = std::isnan(err) ? std::numeric_limits<double>::infinity() : std::max(c.max_abs, err);
        c.max_rel = std::max(
            c.max_rel, std::isnan(err) ? std::numeric_limits<double>::infinity() : err / std::max(std::fabs(r), 1e-12));
        if (bad) {
            c.ok = false;
            if (c.mismatches++ < 5) os << "  [" << i << "] got " << x << ", expected " << r << "\n";
        }
    }
    std::ostringstream head;
    head << (c.ok ? "match" : "MISMATCH") << " (" << a.numel() << " elements, " << c.mismatches
         << " mismatches): max abs err " << c.max_abs << ", max rel err " << c.max_rel << "\n";
    c.report = head.str() + os.str();
    return c;
}

}  // namespace enas::test

/// Compares `actual` with `expected`, prints the worst error on stdout, fails on a mismatch.
#define ENAS_REQUIRE_CLOSE(actual, expected, atol, rtol)                                                             \
    do {                                                                                                             \
        const auto enas_cmp_ = ::enas::test::compare((actual), (expected), (atol), (rtol));                          \
        std::printf("  %-40s max abs err %.3g, max rel err %.3g%s\n", #actual, enas_cmp_.max_abs, enas_cmp_.max_rel, \
                    enas_cmp_.ok ? "" : "  MISMATCH");                                                               \
        INFO(#actual " vs " #expected ": " << enas_cmp_.report);                                                     \
        REQUIRE(enas_cmp_.ok);                                                                                       \
    } while (0)

/// Runs the gradient checker and fails with its report when gradients do not match.
#define ENAS_REQUIRE_GRADCHECK(result)                              \
    do {                                                            \
        const auto& enas_gc_ = (result);                            \
        std::printf("  gradcheck: %s\n", enas_gc_.message.c_str()); \
        INFO(enas_gc_.message);                                     \
        REQUIRE(enas_gc_.ok);                                       \
    } while (0)

/// Requires `expr` to throw `Type` whose message satisfies the string matcher `matcher`.
#define ENAS_REQUIRE_THROWS(expr, Type, matcher) \
    do {                                         \
        REQUIRE_THROWS_AS(expr, Type);           \
        REQUIRE_THROWS_WITH(expr, matcher);      \
    } while (0)
