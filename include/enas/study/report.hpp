// A study's report (docs/study.md): from each run's architectures, with their shared-weight score
// and their standalone (retrained) metric, the per-run rank correlations with bootstrap intervals,
// mean and best standalone metric, and between every pair of runs the difference in mean standalone
// metric with a permutation p-value; as JSON (study.json) and as a markdown table (study.md).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "enas/study/statistics.hpp"

namespace enas::study {

/// One architecture of a run: its shared-weight score (on the whole validation split) and its
/// standalone metric after retraining from scratch (test accuracy for the CNNs).
struct StudyArch {
    std::string arch;
    std::string sub_run;  ///< the retraining's run folder, relative to the study folder
    double shared = 0;    ///< with the run's own evaluation policy (what its search rewarded with)
    double standalone = 0;
    /// The shared-weight score with batch statistics and with running (moving-average) BN
    /// statistics (one of them equals `shared`); NaN when not measured.
    double shared_batch = std::nan("");
    double shared_running = std::nan("");
};

struct StudyRun {
    std::string label;   ///< unique within the study (the folder's name)
    std::string path;    ///< the search run folder
    std::string policy;  ///< "enas" or "random", from its config
    std::vector<StudyArch> archs;
};

struct ReportOptions {
    std::string metric = "accuracy";  ///< the standalone metric's name
    bool higher_is_better = true;     ///< for "best"
    int bootstrap_resamples = 2000;
    int permutations = 10000;
};

namespace detail {
inline nlohmann::json number_or_null(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }
inline nlohmann::json interval_json(const Interval& i) {
    return {{"value", number_or_null(i.value)},
            {"low", number_or_null(i.low)},
            {"high", number_or_null(i.high)},
            {"replicates", i.replicates}};
}
inline std::string fmt(double v, const char* f = "%.3f") {
    if (std::isnan(v)) return "n/a";
    char b[32];
    std::snprintf(b, sizeof b, f, v);
    return b;
}
}  // namespace detail

/// study.json's content: "runs" (per run: its architectures and statistics) and "comparisons"
/// (per pair of runs i < j: mean(i) - mean(j) and its p-value). NaN statistics (fewer than 2
/// architectures, constant scores) are null.
inline nlohmann::json study_report(const std::vector<StudyRun>& runs, const ReportOptions& o = {}) {
    nlohmann::json out = {
        {"metric", o.metric}, {"runs", nlohmann::json::array()}, {"comparisons", nlohmann::json::array()}};
    std::vector<std::vector<double>> standalone(runs.size());
    for (std::size_t r = 0; r < runs.size(); ++r) {
        std::vector<double> shared;
        nlohmann::json archs = nlohmann::json::array();
        for (const StudyArch& a : runs[r].archs) {
            shared.push_back(a.shared);
            standalone[r].push_back(a.standalone);
            archs.push_back({{"arch", a.arch},
                             {"sub_run", a.sub_run},
                             {"shared", a.shared},
                             {"shared_batch", detail::number_or_null(a.shared_batch)},
                             {"shared_running", detail::number_or_null(a.shared_running)},
                             {"standalone", a.standalone}});
        }
        const std::vector<double>& s = standalone[r];
        double best = std::nan("");
        for (double v : s)
            if (std::isnan(best) || (o.higher_is_better ? v > best : v < best)) best = v;
        out["runs"].push_back(
            {{"label", runs[r].label},
             {"path", runs[r].path},
             {"policy", runs[r].policy},
             {"archs", archs},
             {"kendall_tau", detail::interval_json(bootstrap_paired(shared, s, kendall_tau_b, o.bootstrap_resamples))},
             {"spearman_rho", detail::interval_json(bootstrap_paired(shared, s, spearman_rho, o.bootstrap_resamples))},
             {"mean_standalone", detail::number_or_null(mean(s))},
             {"best_standalone", detail::number_or_null(best)}});
        // Which BN statistics make the shared weights rank closer to retraining (issue 14).
        nlohmann::json by_stats = nlohmann::json::object();
        for (const char* stats : {"batch", "running"}) {
            std::vector<double> score;
            for (const StudyArch& a : runs[r].archs)
                score.push_back(stats[0] == 'b' ? a.shared_batch : a.shared_running);
            if (score.empty() || std::any_of(score.begin(), score.end(), [](double v) { return std::isnan(v); }))
                continue;
            by_stats[stats] = {
                {"kendall_tau",
                 detail::interval_json(bootstrap_paired(score, s, kendall_tau_b, o.bootstrap_resamples))},
                {"spearman_rho",
                 detail::interval_json(bootstrap_paired(score, s, spearman_rho, o.bootstrap_resamples))}};
        }
        if (!by_stats.empty()) out["runs"].back()["by_bn_statistics"] = by_stats;
    }
    for (std::size_t i = 0; i < runs.size(); ++i)
        for (std::size_t j = i + 1; j < runs.size(); ++j) {
            if (standalone[i].empty() || standalone[j].empty()) continue;
            const PermutationTest t = permutation_test(standalone[i], standalone[j], o.permutations);
            out["comparisons"].push_back({{"a", runs[i].label},
                                          {"b", runs[j].label},
                                          {"mean_difference", t.difference},
                                          {"p_value", t.p_value},
                                          {"permutations", t.permutations}});
        }
    return out;
}

/// The report as markdown (study.md): a table of the runs, a table of the comparisons.
inline std::string study_markdown(const nlohmann::json& report) {
    const auto num = [](const nlohmann::json& v) { return v.is_null() ? std::nan("") : v.get<double>(); };
    const auto interval = [&](const nlohmann::json& i) {
        return detail::fmt(num(i["value"])) + " [" + detail::fmt(num(i["low"])) + ", " + detail::fmt(num(i["high"])) +
               "]";
    };
    const std::string metric = report.value("metric", "accuracy");
    std::string md = "# Study: shared-weight score vs standalone " + metric + "\n\n";
    md +=
        "| run | policy | archs | Kendall tau [95% CI] | Spearman rho [95% CI] | mean standalone | best standalone |\n";
    md += "|---|---|---|---|---|---|---|\n";
    for (const nlohmann::json& r : report["runs"])
        md += "| " + r["label"].get<std::string>() + " | " + r["policy"].get<std::string>() + " | " +
              std::to_string(r["archs"].size()) + " | " + interval(r["kendall_tau"]) + " | " +
              interval(r["spearman_rho"]) + " | " + detail::fmt(num(r["mean_standalone"]), "%.4f") + " | " +
              detail::fmt(num(r["best_standalone"]), "%.4f") + " |\n";
    std::string by_stats;
    for (const nlohmann::json& r : report["runs"])
        if (r.contains("by_bn_statistics") && r["by_bn_statistics"].size() == 2)
            by_stats += "| " + r["label"].get<std::string>() + " | " +
                        interval(r["by_bn_statistics"]["batch"]["kendall_tau"]) + " | " +
                        interval(r["by_bn_statistics"]["running"]["kendall_tau"]) + " |\n";
    if (!by_stats.empty())
        md +=
            "\nKendall tau of the shared-weight score evaluated with batch vs running BN statistics:\n\n"
            "| run | batch statistics | running statistics |\n|---|---|---|\n" +
            by_stats;
    if (!report["comparisons"].empty()) {
        md += "\n| a | b | mean(a) - mean(b) | permutation p |\n|---|---|---|---|\n";
        for (const nlohmann::json& c : report["comparisons"])
            md += "| " + c["a"].get<std::string>() + " | " + c["b"].get<std::string>() + " | " +
                  detail::fmt(c["mean_difference"].get<double>(), "%+.4f") + " | " +
                  detail::fmt(c["p_value"].get<double>(), "%.4f") + " |\n";
    }
    md +=
        "\nIntervals: percentile bootstrap over the architectures (fixed seed). p: two-sided permutation test of "
        "the difference in mean standalone " +
        metric + ". See docs/study.md for what these numbers can and cannot show.\n";
    return md;
}

}  // namespace enas::study
