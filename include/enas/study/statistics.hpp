// The statistics of a study (docs/study.md): rank correlations between two measurements of the same
// architectures (Kendall tau-b, Spearman rho, ties handled), percentile bootstrap intervals of
// them, and a two-sample permutation test of a difference in means. Plain doubles, no tensors:
// this sits above train/ only because the study tool uses both.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <random>
#include <vector>

#include "enas/core/error.hpp"

namespace enas::study {

/// 1-based ranks of `x`, tied values getting the average of the ranks they span.
inline std::vector<double> average_ranks(const std::vector<double>& x) {
    std::vector<std::size_t> order(x.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    std::vector<double> ranks(x.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
        const double r = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = r;
        i = j + 1;
    }
    return ranks;
}

/// Pearson correlation; NaN when either sample is constant (no correlation is defined).
inline double pearson(const std::vector<double>& x, const std::vector<double>& y) {
    check<ValueError>(x.size() == y.size(), "pearson: ", x.size(), " values vs ", y.size());
    const double n = static_cast<double>(x.size());
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n, my = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx == 0 || syy == 0) return std::nan("");
    return sxy / std::sqrt(sxx * syy);
}

/// Spearman's rho: the Pearson correlation of the average ranks (the tie-corrected form). NaN for
/// fewer than 2 pairs or a constant sample. ValueError if the sizes differ.
inline double spearman_rho(const std::vector<double>& x, const std::vector<double>& y) {
    check<ValueError>(x.size() == y.size(), "spearman_rho: ", x.size(), " values vs ", y.size());
    if (x.size() < 2) return std::nan("");
    return pearson(average_ranks(x), average_ranks(y));
}

/// Kendall's tau-b: (concordant - discordant) / sqrt((n0 - ties in x) (n0 - ties in y)) over all
/// n0 = n(n-1)/2 pairs, a pair tied in x or y counting as neither. NaN for fewer than 2 pairs or a
/// constant sample. O(n^2), meant for the tens of architectures of a study.
inline double kendall_tau_b(const std::vector<double>& x, const std::vector<double>& y) {
    check<ValueError>(x.size() == y.size(), "kendall_tau_b: ", x.size(), " values vs ", y.size());
    double concordant = 0, discordant = 0, untied_x = 0, untied_y = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t j = i + 1; j < x.size(); ++j) {
            const double dx = x[i] - x[j], dy = y[i] - y[j];
            if (dx != 0) untied_x += 1;
            if (dy != 0) untied_y += 1;
            if (dx * dy > 0) concordant += 1;
            if (dx * dy < 0) discordant += 1;
        }
    if (untied_x == 0 || untied_y == 0) return std::nan("");
    return (concordant - discordant) / std::sqrt(untied_x * untied_y);
}

/// A statistic with its percentile bootstrap interval.
struct Interval {
    double value = 0;    ///< the statistic on the sample itself
    double low = 0;      ///< the (1 - level) / 2 quantile of the bootstrap replicates
    double high = 0;     ///< the (1 + level) / 2 quantile
    int replicates = 0;  ///< replicates with a defined (non-NaN) statistic
};

/// The `q` quantile (0..1) of the ascending `v` by linear interpolation; NaN when empty.
inline double sorted_quantile(const std::vector<double>& v, double q) {
    if (v.empty()) return std::nan("");
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

/// Percentile bootstrap of a paired statistic (e.g. kendall_tau_b): `resamples` resamples of the
/// pairs with replacement from a fixed `seed` (the same interval on every run), replicates whose
/// statistic is undefined (NaN: a resample of one repeated pair) dropped.
inline Interval bootstrap_paired(
    const std::vector<double>& x, const std::vector<double>& y,
    const std::function<double(const std::vector<double>&, const std::vector<double>&)>& stat, int resamples = 2000,
    double level = 0.95, std::uint64_t seed = 20260101) {
    check<ValueError>(x.size() == y.size(), "bootstrap_paired: ", x.size(), " values vs ", y.size());
    check<ValueError>(resamples > 0 && level > 0 && level < 1, "bootstrap_paired: resamples ", resamples, ", level ",
                      level);
    Interval out;
    out.value = stat(x, y);
    if (x.empty()) return {out.value, std::nan(""), std::nan(""), 0};
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::size_t> pick(0, x.size() - 1);
    std::vector<double> reps, bx(x.size()), by(y.size());
    reps.reserve(static_cast<std::size_t>(resamples));
    for (int r = 0; r < resamples; ++r) {
        for (std::size_t i = 0; i < x.size(); ++i) {
            const std::size_t k = pick(rng);
            bx[i] = x[k];
            by[i] = y[k];
        }
        const double s = stat(bx, by);
        if (!std::isnan(s)) reps.push_back(s);
    }
    std::sort(reps.begin(), reps.end());
    out.low = sorted_quantile(reps, (1 - level) / 2);
    out.high = sorted_quantile(reps, (1 + level) / 2);
    out.replicates = static_cast<int>(reps.size());
    return out;
}

inline double mean(const std::vector<double>& v) {
    return v.empty() ? std::nan("") : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

/// A two-sample permutation test of mean(a) - mean(b).
struct PermutationTest {
    double difference = 0;  ///< mean(a) - mean(b)
    double p_value = 1;     ///< two-sided: (1 + #{|permuted difference| >= |difference|}) / (1 + permutations)
    int permutations = 0;
};

/// Shuffles the pooled values `permutations` times (fixed `seed`), splitting them into groups of
/// a's and b's sizes. The +1 in numerator and denominator counts the observed split, so p is never
/// 0 and the test is exact-size under the null. ValueError if a group is empty.
inline PermutationTest permutation_test(const std::vector<double>& a, const std::vector<double>& b,
                                        int permutations = 10000, std::uint64_t seed = 20260102) {
    check<ValueError>(!a.empty() && !b.empty(), "permutation_test: a group is empty (", a.size(), " and ", b.size(),
                      " values)");
    check<ValueError>(permutations > 0, "permutation_test: permutations ", permutations);
    PermutationTest out;
    out.difference = mean(a) - mean(b);
    out.permutations = permutations;
    std::vector<double> pooled(a);
    pooled.insert(pooled.end(), b.begin(), b.end());
    const double total = std::accumulate(pooled.begin(), pooled.end(), 0.0);
    const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
    // Compared with a relative tolerance, so a permutation equal to the observed split in exact
    // arithmetic counts as "as extreme" despite summation order.
    const double threshold = std::abs(out.difference) * (1 - 1e-12) - 1e-15;
    std::mt19937_64 rng(seed);
    int extreme = 0;
    for (int p = 0; p < permutations; ++p) {
        std::shuffle(pooled.begin(), pooled.end(), rng);
        const double sa = std::accumulate(pooled.begin(), pooled.begin() + static_cast<std::ptrdiff_t>(a.size()), 0.0);
        const double d = sa / na - (total - sa) / nb;
        if (std::abs(d) >= threshold) ++extreme;
    }
    out.p_value = (1.0 + extreme) / (1.0 + permutations);
    return out;
}

}  // namespace enas::study
