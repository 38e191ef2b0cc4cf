// The study's statistics (study/statistics.hpp) against values computed by hand (the pair counts
// are in the comments), the bootstrap interval's coverage on synthetic data of known correlation,
// and the permutation test's p-value under the null.
#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "enas/study/statistics.hpp"

using namespace enas::study;

TEST_CASE("average ranks give ties the mean of their ranks", "[study]") {
    CHECK(average_ranks({10, 30, 20, 30, 10}) == std::vector<double>{1.5, 4.5, 3, 4.5, 1.5});
    CHECK(average_ranks({}).empty());
}

TEST_CASE("Kendall tau-b and Spearman rho without ties", "[study]") {
    // x = 1..5, y = 3 1 2 5 4: pairs (1,2) (1,3) (4,5) discordant, the other 7 concordant:
    // tau = (7 - 3) / 10. Rank differences -2 1 1 -1 1, sum of squares 8: rho = 1 - 6*8/(5*24).
    const std::vector<double> x{1, 2, 3, 4, 5}, y{3, 1, 2, 5, 4};
    CHECK(kendall_tau_b(x, y) == Approx(0.4));
    CHECK(spearman_rho(x, y) == Approx(0.6));
    CHECK(kendall_tau_b(x, x) == Approx(1.0));
    CHECK(spearman_rho(x, {5, 4, 3, 2, 1}) == Approx(-1.0));
}

TEST_CASE("Kendall tau-b and Spearman rho with ties", "[study]") {
    // x = 1 2 2 3, y = 1 3 2 2: concordant (1,2) (1,3) (1,4), discordant (2,4); (2,3) tied in x,
    // (3,4) tied in y: tau-b = (3 - 1) / sqrt(5 * 5). Ranks x 1 2.5 2.5 4, y 1 4 2.5 2.5: centred
    // -1.5 0 0 1.5 and -1.5 1.5 0 0, so rho = 2.25 / sqrt(4.5 * 4.5).
    CHECK(kendall_tau_b({1, 2, 2, 3}, {1, 3, 2, 2}) == Approx(0.4));
    CHECK(spearman_rho({1, 2, 2, 3}, {1, 3, 2, 2}) == Approx(0.5));
    // x = 12 2 1 12 2, y = 1 4 7 1 0: 2 concordant, 6 discordant, 2 x-ties, 1 y-tie:
    // tau-b = -4 / sqrt(8 * 9) (also scipy.stats.kendalltau's documented example value).
    CHECK(kendall_tau_b({12, 2, 1, 12, 2}, {1, 4, 7, 1, 0}) == Approx(-4.0 / std::sqrt(72.0)));
    CHECK(kendall_tau_b({12, 2, 1, 12, 2}, {1, 4, 7, 1, 0}) == Approx(-0.47140452079103173));
    // Tied blocks in both, perfectly reversed.
    CHECK(kendall_tau_b({1, 1, 2}, {3, 3, 1}) == Approx(-1.0));
    CHECK(spearman_rho({1, 1, 2}, {3, 3, 1}) == Approx(-1.0));
}

TEST_CASE("undefined correlations are NaN and mismatched sizes are errors", "[study]") {
    CHECK(std::isnan(kendall_tau_b({1, 1, 1}, {1, 2, 3})));
    CHECK(std::isnan(spearman_rho({1, 2, 3}, {4, 4, 4})));
    CHECK(std::isnan(spearman_rho({1}, {2})));
    CHECK_THROWS_AS(kendall_tau_b({1, 2}, {1}), enas::ValueError);
}

namespace {
// n pairs from a bivariate normal with correlation r.
void bivariate(std::mt19937_64& rng, int n, double r, std::vector<double>& x, std::vector<double>& y) {
    std::normal_distribution<double> g;
    x.resize(static_cast<std::size_t>(n));
    y.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        const double a = g(rng), b = g(rng);
        x[static_cast<std::size_t>(i)] = a;
        y[static_cast<std::size_t>(i)] = r * a + std::sqrt(1 - r * r) * b;
    }
}
}  // namespace

TEST_CASE("the bootstrap interval covers the true correlation in most trials", "[study]") {
    // For a bivariate normal with correlation r: tau = (2/pi) asin(r), rho_s = (6/pi) asin(r/2).
    const double r = 0.6, pi = std::acos(-1.0);
    const double true_tau = 2 / pi * std::asin(r), true_rho = 6 / pi * std::asin(r / 2);
    std::mt19937_64 rng(7);
    int tau_covered = 0, rho_covered = 0, trials = 50;
    std::vector<double> x, y;
    for (int t = 0; t < trials; ++t) {
        bivariate(rng, 40, r, x, y);
        const Interval tau = bootstrap_paired(x, y, kendall_tau_b, 400, 0.95, 100 + t);
        const Interval rho = bootstrap_paired(x, y, spearman_rho, 400, 0.95, 200 + t);
        CHECK(tau.low <= tau.value);
        CHECK(tau.value <= tau.high);
        CHECK(tau.replicates == 400);
        tau_covered += tau.low <= true_tau && true_tau <= tau.high;
        rho_covered += rho.low <= true_rho && true_rho <= rho.high;
    }
    // Nominal 95%: 47.5 of 50 expected; 40 leaves room for the percentile method's small-sample
    // under-coverage while failing an interval that is wrong (too narrow, off-centre).
    CHECK(tau_covered >= 40);
    CHECK(rho_covered >= 40);
    // And it is not trivially wide: with no correlation and n = 40 the interval excludes 0.6.
    bivariate(rng, 40, 0.0, x, y);
    CHECK(bootstrap_paired(x, y, kendall_tau_b, 400).high < 0.6);
}

TEST_CASE("the bootstrap is reproducible from its seed", "[study]") {
    const std::vector<double> x{1, 2, 3, 4, 5, 6}, y{2, 1, 4, 3, 6, 5};
    const Interval a = bootstrap_paired(x, y, kendall_tau_b, 300, 0.95, 5);
    const Interval b = bootstrap_paired(x, y, kendall_tau_b, 300, 0.95, 5);
    CHECK(a.low == b.low);
    CHECK(a.high == b.high);
}

TEST_CASE("the permutation test on a small exact case", "[study]") {
    // a = {1, 2}, b = {3, 4}: of the 6 ways to split the pool 2 + 2, two ({1,2}|{3,4} and its
    // mirror) have |difference| >= 2, so p = 1/3.
    const PermutationTest t = permutation_test({1, 2}, {3, 4}, 30000, 3);
    CHECK(t.difference == Approx(-2.0));
    CHECK(t.p_value == Approx(1.0 / 3).margin(0.01));
    // Far-apart groups: p at its floor 1 / (1 + permutations) up to a few chance splits.
    const PermutationTest far = permutation_test({10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5}, 999, 4);
    CHECK(far.p_value < 0.01);
    CHECK_THROWS_AS(permutation_test({}, {1}), enas::ValueError);
}

TEST_CASE("the permutation test's p-value is roughly uniform under the null", "[study]") {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> g;
    const int trials = 200;
    int bins[5] = {0, 0, 0, 0, 0}, below_05 = 0;
    for (int t = 0; t < trials; ++t) {
        std::vector<double> a(10), b(12);
        for (double& v : a) v = g(rng);
        for (double& v : b) v = g(rng);
        const double p = permutation_test(a, b, 199, 1000 + t).p_value;
        REQUIRE(p > 0);
        REQUIRE(p <= 1);
        ++bins[std::min(4, static_cast<int>(p * 5))];
        below_05 += p <= 0.05;
    }
    // 40 expected per bin (sd about 5.7); 10 of 200 expected at p <= 0.05 (sd about 3).
    for (int k = 0; k < 5; ++k) {
        INFO("bin " << k);
        CHECK(bins[k] >= 20);
        CHECK(bins[k] <= 60);
    }
    CHECK(below_05 >= 2);
    CHECK(below_05 <= 22);
}
