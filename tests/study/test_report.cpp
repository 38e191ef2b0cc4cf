// The study report (study/report.hpp): per-run statistics, pairwise comparisons, nulls for
// undefined statistics, and the markdown table.
#include <string>

#include <catch2/catch.hpp>

#include "enas/study/report.hpp"

using namespace enas::study;

namespace {
std::string numbered(std::string prefix, int i) { return prefix.append(std::to_string(i)); }
}  // namespace

TEST_CASE("the study report holds each run's statistics and the comparison", "[study]") {
    StudyRun a{"enas-run", "/runs/a", "enas", {}}, b{"random-run", "/runs/b", "random", {}};
    const double sa[] = {0.5, 0.6, 0.7, 0.8}, ta[] = {0.80, 0.82, 0.81, 0.90};
    for (int i = 0; i < 4; ++i) a.archs.push_back({numbered("arch", i), numbered("a/arch-", i), sa[i], ta[i]});
    for (int i = 0; i < 3; ++i) b.archs.push_back({numbered("b", i), numbered("b/arch-", i), 0.5, 0.7 + 0.01 * i});
    const nlohmann::json r = study_report({a, b}, {.bootstrap_resamples = 200, .permutations = 500});
    REQUIRE(r["runs"].size() == 2);
    // Run a: shared 0.5 0.6 0.7 0.8 vs standalone 0.80 0.82 0.81 0.90: 5 concordant, 1 discordant.
    CHECK(r["runs"][0]["kendall_tau"]["value"].get<double>() == Approx(4.0 / 6));
    CHECK(r["runs"][0]["spearman_rho"]["value"].get<double>() == Approx(0.8));
    CHECK(r["runs"][0]["mean_standalone"].get<double>() == Approx(0.8325));
    CHECK(r["runs"][0]["best_standalone"].get<double>() == Approx(0.90));
    CHECK(r["runs"][0]["archs"][3]["sub_run"] == "a/arch-3");
    // Run b's shared scores are constant: no correlation is defined.
    CHECK(r["runs"][1]["kendall_tau"]["value"].is_null());
    REQUIRE(r["comparisons"].size() == 1);
    CHECK(r["comparisons"][0]["mean_difference"].get<double>() == Approx(0.8325 - 0.71));
    CHECK(r["comparisons"][0]["p_value"].get<double>() < 0.1);
    const std::string md = study_markdown(r);
    CHECK(md.find("| enas-run | enas | 4 | 0.667 [") != std::string::npos);
    CHECK(md.find("| random-run | random | 3 | n/a [") != std::string::npos);
    CHECK(md.find("| enas-run | random-run | +0.1225 |") != std::string::npos);
    CHECK(!r["runs"][0].contains("by_bn_statistics"));  // not measured: no such table
    CHECK(md.find("batch statistics") == std::string::npos);
}

TEST_CASE("the study report ranks by batch and by running BN statistics when both were measured", "[study]") {
    StudyRun a{"run", "/runs/a", "enas", {}};
    // Standalone 0.1 .. 0.4; batch scores in the same order, running scores reversed.
    for (int i = 0; i < 4; ++i)
        a.archs.push_back({numbered("x", i), numbered("run/arch-", i), 0.1 * i, 0.1 * (i + 1), 0.2 * i, 1.0 - 0.2 * i});
    const nlohmann::json r = study_report({a}, {.bootstrap_resamples = 100, .permutations = 100});
    CHECK(r["runs"][0]["by_bn_statistics"]["batch"]["kendall_tau"]["value"].get<double>() == Approx(1.0));
    CHECK(r["runs"][0]["by_bn_statistics"]["running"]["kendall_tau"]["value"].get<double>() == Approx(-1.0));
    CHECK(r["runs"][0]["archs"][1]["shared_running"].get<double>() == Approx(0.8));
    const std::string md = study_markdown(r);
    CHECK(md.find("| run | 1.000 [1.000, 1.000] | -1.000 [-1.000, -1.000] |") != std::string::npos);
}
