// enas_study: does the search pick better architectures? Given CNN search run folders (e.g. an ENAS
// run and a --policy random run with the same budget), draws K architectures per run, scores each
// with the run's shared weights on the whole validation split, retrains each from scratch (a
// cifar_train run folder per architecture in the study folder, resumable, skipped when done), and
// writes study.json and study.md: per run Kendall tau and Spearman rho between shared-weight and
// standalone accuracy with bootstrap intervals, mean and best standalone accuracy; between runs the
// difference in mean standalone accuracy with a permutation p-value. docs/study.md explains them.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "../common/cnn_cli.hpp"
#include "enas/study/cnn_study.hpp"
#include "enas/study/report.hpp"

using namespace enas;
namespace fs = std::filesystem;

namespace {

struct StudyFlags : enas_cli::RunFlags {
    std::vector<std::string> runs;
    int k = 5;
    std::string archs = "policy";

    void add_to(CLI::App& app) {
        app.add_option("runs", runs, "search run folders (cifar_search's --out)")->required();
        app.add_option("--k", k, "architectures per run")->check(CLI::Range(1, 1000))->capture_default_str();
        app.add_option("--archs", archs,
                       "where they come from: policy (distinct samples of the run's final controller state) | derive "
                       "(the run's derive candidates, best first)")
            ->check(CLI::IsMember({"policy", "derive"}))
            ->capture_default_str();
        RunFlags::add_to(app);
        add_checkpoint_every(app);
        fields_.add(app, train::CnnConfig::setting_fields());
    }

    /// The cifar_train settings given (each overrides the final preset in every retraining).
    void apply(train::CnnConfig& c) const { fields_.apply(c); }

private:
    enas_cli::FieldFlags<train::CnnConfig> fields_;
};

struct PlannedRun {
    std::string label;
    study::SearchRun run;
    train::CnnConfig retrain;
};

std::string seconds_text(double s) {
    char b[32];
    if (s >= 3600)
        std::snprintf(b, sizeof b, "%dh%02dm", static_cast<int>(s / 3600), static_cast<int>(s / 60) % 60);
    else if (s >= 60)
        std::snprintf(b, sizeof b, "%dm%02ds", static_cast<int>(s / 60), static_cast<int>(s) % 60);
    else
        std::snprintf(b, sizeof b, "%.0fs", s);
    return b;
}

/// The architectures of one run with their shared-weight scores: archs.json in the run's study
/// folder when a resumed study has it (same k and source), else drawn and scored, then saved.
template <Device D>
std::vector<study::StudyArch> scored_archs(const PlannedRun& p, const StudyFlags& flags, run::RunFolder& folder) {
    const fs::path file = folder.file(p.label) / "archs.json";
    std::error_code ec;
    if (flags.resume && fs::is_regular_file(file, ec)) {
        const nlohmann::json j = run::read_json_file(file);
        if (j.value("k", 0) == flags.k && j.value("source", "") == flags.archs) {
            std::vector<study::StudyArch> out;
            const auto number = [](const nlohmann::json& v) { return v.is_number() ? v.get<double>() : std::nan(""); };
            for (const nlohmann::json& a : j.at("archs"))
                out.push_back({a.at("arch"), a.at("sub_run"), a.at("shared").get<double>(), 0.0,
                               number(a.value("shared_batch", nlohmann::json())),
                               number(a.value("shared_running", nlohmann::json()))});
            std::printf("enas_study: %s: %zu architectures and their shared-weight scores from %s\n", p.label.c_str(),
                        out.size(), file.c_str());
            return out;
        }
    }
    std::printf("enas_study: %s: drawing %d architectures (%s) and scoring them on the %lld validation images\n",
                p.label.c_str(), flags.k, flags.archs.c_str(), static_cast<long long>(p.run.cnn.num_valid));
    std::fflush(stdout);
    auto progress = run::ProgressReporter::for_stderr(1);
    std::vector<study::StudyArch> archs = study::draw_and_score<D>(
        p.run, flags.k, flags.archs == "derive" ? study::ArchSource::derive : study::ArchSource::policy, progress);
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < archs.size(); ++i) {
        archs[i].sub_run = p.label + "/arch-" + std::to_string(i);
        list.push_back({{"arch", archs[i].arch},
                        {"sub_run", archs[i].sub_run},
                        {"shared", archs[i].shared},
                        {"shared_batch", archs[i].shared_batch},
                        {"shared_running", archs[i].shared_running}});
    }
    fs::create_directories(folder.file(p.label));
    run::write_json_file(file, {{"k", flags.k}, {"source", flags.archs}, {"archs", list}});
    return archs;
}

template <Device D>
int study_on(const StudyFlags& flags, const std::vector<PlannedRun>& plan, run::RunFolder& folder) {
    std::vector<study::StudyRun> runs;
    for (const PlannedRun& p : plan)
        runs.push_back({p.label, p.run.dir.string(), p.run.search.policy, scored_archs<D>(p, flags, folder)});
    std::size_t total = 0, to_train = 0;
    for (const study::StudyRun& r : runs)
        for (const study::StudyArch& a : r.archs) {
            ++total;
            std::error_code ec;
            to_train += !fs::is_regular_file(folder.file(a.sub_run) / run::RunFolder::kSummary, ec);
        }
    std::printf("enas_study: %zu architectures, %zu to retrain (%zu done before)\n", total, to_train, total - to_train);
    std::size_t index = 0, trained = 0;
    double train_seconds = 0;
    for (std::size_t r = 0; r < runs.size(); ++r)
        for (study::StudyArch& a : runs[r].archs) {
            ++index;
            const fs::path dir = folder.file(a.sub_run);
            std::error_code ec;
            const bool done_before = fs::is_regular_file(dir / run::RunFolder::kSummary, ec);
            const auto t0 = std::chrono::steady_clock::now();
            const nlohmann::json s = study::retrain<D>(plan[r].retrain, a.arch, dir, flags.checkpoint_every);
            a.standalone = s.at("test_accuracy").get<double>();
            if (done_before) {
                std::printf("enas_study: [%zu/%zu] %s: done before, test accuracy %.4f\n", index, total,
                            a.sub_run.c_str(), a.standalone);
                continue;
            }
            const double seconds = run::seconds_since(t0);
            ++trained;
            train_seconds += seconds;
            folder.append_metrics({{"phase", "retrain"},
                                   {"run", runs[r].label},
                                   {"sub_run", a.sub_run},
                                   {"arch", a.arch},
                                   {"shared", a.shared},
                                   {"standalone", a.standalone},
                                   {"seconds", seconds}});
            const double eta = train_seconds / static_cast<double>(trained) * static_cast<double>(to_train - trained);
            std::printf("enas_study: [%zu/%zu] %s: shared %.4f, test accuracy %.4f; %s, %zu/%zu retrained, ETA %s\n",
                        index, total, a.sub_run.c_str(), a.shared, a.standalone, seconds_text(seconds).c_str(), trained,
                        to_train, seconds_text(eta).c_str());
            std::fflush(stdout);
        }
    const nlohmann::json report = study::study_report(runs);
    folder.write_json("study.json", report);
    const std::string md = study::study_markdown(report);
    folder.write_text("study.md", md);
    std::printf("\n%s\nenas_study: %zu retrained in this call; study folder %s (study.json, study.md)\n", md.c_str(),
                trained, folder.dir().c_str());
    std::printf("enas_study: plots with: python3 scripts/plot_run.py %s\n", folder.dir().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "enas_study: retrain K architectures of each search run from scratch and measure how well the shared "
        "weights rank them (Kendall tau, Spearman rho) and how the runs compare (permutation test); the other "
        "options are cifar_train's settings for the retrainings (over the final preset of each run's preset)"};
    StudyFlags flags;
    flags.add_to(app);
    CLI11_PARSE(app, argc, argv);
    return enas_cli::run_main("enas_study", argc, argv, [&] {
        std::vector<PlannedRun> plan;
        std::map<std::string, int> seen;
        nlohmann::json retrains = nlohmann::json::array(), paths = nlohmann::json::array();
        for (const std::string& dir : flags.runs) {
            study::SearchRun run = study::read_search_run(fs::absolute(dir).lexically_normal());
            std::string label = run.dir.filename().string();
            if (label.empty()) label = run.dir.parent_path().filename().string();  // "runs/a/"
            if (label.empty() || label == "." || label == "..") label = "run";
            if (seen[label]++ > 0) label += "-" + std::to_string(seen[label]);
            study::check_study_source(run, flags.k,
                                      flags.archs == "derive" ? study::ArchSource::derive : study::ArchSource::policy);
            const train::CnnConfig retrain =
                study::retrain_config(run.cnn, [&](train::CnnConfig& c) { flags.apply(c); });
            paths.push_back(run.dir.string());
            retrains.push_back(retrain.to_json());
            plan.push_back({label, std::move(run), retrain});
        }
        const nlohmann::json config = {
            {"program", "enas_study"}, {"runs", paths}, {"k", flags.k}, {"archs", flags.archs}, {"retrain", retrains}};
        const std::string out = flags.out.empty() ? flags.out_dir("enas_study", "cnn") : flags.out;
        run::RunFolder folder = enas_cli::open_run(flags, out, config);
        if (flags.force)  // a retraining left by the study being replaced must not count as done
            for (const PlannedRun& p : plan) fs::remove_all(folder.file(p.label));
        try {
            return enas_cli::on_device(flags.device, [&]<Device D>() { return study_on<D>(flags, plan, folder); });
        } catch (const run::Interrupted& e) {
            // The signal stopped a retraining (its sub-run keeps a checkpoint): resume the study, not the sub-run.
            std::fflush(stdout);
            std::fprintf(stderr, "enas_study: %s\nenas_study: resume the study with:\n  %s\n", e.what(),
                         enas_cli::resume_command(argc, argv, folder.dir()).c_str());
            return e.exit_code();
        }
    });
}
