// The generic loops (SearchLoop, derive, FinalTraining) with a task that is not a CNN: a "model" of
// six weights, one per macro op, and a perplexity-like metric that is a known function of the
// tokens (one point per layer that does not use op 3), so the reward 1/ppl teaches a real
// controller to pick op 3. Both phases run, derive finds the good architecture, and a resumed run
// equals an uninterrupted one, for the search and for final training.
#include <cmath>
#include <filesystem>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "enas/controller/controllers.hpp"
#include "enas/core/random.hpp"
#include "enas/run/checkpoint.hpp"
#include "enas/run/progress.hpp"
#include "enas/run/run_folder.hpp"
#include "enas/search/macro_arch.hpp"
#include "enas/train/derive.hpp"
#include "enas/train/final_training.hpp"
#include "enas/train/search_loop.hpp"
#include "enas/train/task.hpp"
#include "search_fixtures.hpp"
#include "test_utils.hpp"
#include "train_test_utils.hpp"

using namespace enas;
using namespace enas::train;

namespace {

constexpr int kLayers = 3;
constexpr int kGoodOp = 3;

/// The toy task. Its state: the six weights, the training-noise stream and the reward-noise
/// stream (counter-based generators whose offsets go into the checkpoint).
class ToyTask {
public:
    using Arch = search::MacroArch;

    search::SearchSpace space() const { return search::SearchSpace::macro; }
    MetricNames metric_names() const { return {"ppl", "ppl", "tokens_per_second", false}; }
    std::int64_t steps_per_epoch() const { return 6; }
    std::int64_t num_params() const { return static_cast<std::int64_t>(weights_.size()); }
    void start_training(std::int64_t) {}  // the noise stream's offset is the position

    StepStats train_step(const Arch& arch, double lr, const StepAt&) {
        double loss = 0;
        for (const auto& layer : arch.layers()) {
            double& w = weights_[static_cast<std::size_t>(layer.op)];
            loss += (1.0 - w) * (1.0 - w);
            w += lr * (1.0 - w + 0.1 * train_noise_.normal());
        }
        return {loss, ppl(arch, 0.0), 10};
    }
    double reward(const Arch& arch) { return 1.0 / ppl(arch, reward_noise_.normal()); }
    double derive_reward(const Arch& arch, int batches) {
        double sum = 0;
        for (int b = 0; b < batches; ++b) sum += 1.0 / ppl(arch, Rng(99, static_cast<std::uint64_t>(b)).normal());
        return sum / batches;
    }
    double skip_rate(const Arch& arch) const { return arch.skip_rate(); }
    double evaluate(Split split, const std::function<Arch()>& next_arch) {
        const int batches = split == Split::test ? 2 : 3;
        double sum = 0;
        for (int b = 0; b < batches; ++b) sum += ppl(next_arch(), 0.0);
        return sum / batches;
    }
    void save(run::CheckpointWriter& w, nlohmann::json& progress) {
        w.add_values("toy/weights", weights_);
        progress["train_noise"] = train_noise_.offset();
        progress["reward_noise"] = reward_noise_.offset();
    }
    void restore(const run::Checkpoint& c, const nlohmann::json& progress) {
        weights_ = c.values<double>("toy/weights");
        train_noise_.set_state(train_noise_.seed(), progress.at("train_noise").get<std::uint64_t>());
        reward_noise_.set_state(reward_noise_.seed(), progress.at("reward_noise").get<std::uint64_t>());
    }

    const std::vector<double>& weights() const { return weights_; }

    /// 1 + the layers that do not use kGoodOp, a little of the untrained weights, and |noise| / 10.
    double ppl(const Arch& arch, double noise) const {
        double p = 1.0 + 0.1 * std::abs(noise);
        for (const auto& layer : arch.layers()) {
            p += static_cast<int>(layer.op) == kGoodOp ? 0.0 : 1.0;
            p += 0.05 * std::abs(1.0 - weights_[static_cast<std::size_t>(layer.op)]);
        }
        return p;
    }

private:
    std::vector<double> weights_ = std::vector<double>(6, 0.0);
    Rng train_noise_{7};
    Rng reward_noise_{8};
};

static_assert(SearchTask<ToyTask>);
static_assert(FinalTask<ToyTask>);

LoopConfig toy_loop(std::int64_t epochs) {
    return {epochs, 2, [](std::int64_t e) { return 0.2 / (1.0 + e); }};
}

SearchConfig toy_search() {
    SearchConfig s;
    s.train_steps = 10;
    s.num_aggregate = 4;
    s.controller_lr = 0.02;
    s.eval_archs = 2;
    s.derive_k = 6;
    s.derive_batches = 3;
    return s;
}

struct ToyRun {
    std::vector<double> weights;
    std::string best_arch, controller, log;
    nlohmann::json last;
};

/// A search of `epochs` epochs in `dir`, stopped after `stop_at` epochs, resumed when asked, then derive.
ToyRun toy_search_run(const std::filesystem::path& dir, std::int64_t epochs, std::int64_t stop_at, bool resume,
                      bool random = false) {
    const SearchConfig sc = toy_search();
    run::RunFolder folder(dir, resume ? run::RunFolderMode::resume : run::RunFolderMode::fresh);
    controller::MacroControllerConfig cc;
    cc.num_layers = kLayers;
    cc.reinforce = sc.reinforce(cc.reinforce);
    std::unique_ptr<controller::ArchitecturePolicy> policy;
    if (random)
        policy = std::make_unique<controller::RandomSearch>(cc, 5);
    else
        policy = std::make_unique<controller::MacroController>(cc, 5);
    ToyTask task;
    std::ostringstream log;
    run::ProgressReporter progress(log, run::ProgressReporter::Options{});
    SearchLoop<ToyTask> loop(task, *policy, sc, toy_loop(epochs), folder, progress);
    if (resume) loop.resume();
    ToyRun r;
    r.last = loop.run(stop_at);
    const auto candidates = derive(task, *policy, sc, folder, progress);
    r.weights = task.weights();
    r.best_arch = candidates.front().arch.to_string();
    std::ostringstream state;
    policy->save(state);
    r.controller = std::move(state).str();
    r.log = log.str();
    return r;
}

/// The lines of a JSON-lines file without the wall-clock fields.
std::vector<nlohmann::json> untimed_lines(const std::filesystem::path& path) {
    std::vector<nlohmann::json> out = test::lines_without_timing(path);
    for (auto& j : out) j.erase("tokens_per_second");
    return out;
}

int good_ops(const search::MacroArch& arch) {
    int n = 0;
    for (const auto& layer : arch.layers()) n += static_cast<int>(layer.op) == kGoodOp;
    return n;
}

}  // namespace

TEST_CASE("generic loop: a toy task's search runs both phases and the controller learns its reward", "[train]") {
    test::TempDir tmp;
    const ToyRun r = toy_search_run(tmp / "run", 8, -1, false);
    for (const char* f : {"metrics.jsonl", "archs.jsonl", "best_arch.txt", "best_arch.json", "derive.json"})
        REQUIRE(std::filesystem::exists(tmp / "run" / f));
    const auto metrics = run::read_json_lines(tmp / "run" / "metrics.jsonl");
    std::vector<double> rewards;
    for (const auto& m : metrics) {
        if (m["phase"] == "child") {
            REQUIRE(m.contains("ppl"));
            REQUIRE(m.contains("tokens_per_second"));
            REQUIRE_FALSE(m.contains("accuracy"));
        }
        if (m["phase"] != "epoch") continue;
        for (const char* key : {"train_loss", "train_ppl", "valid_ppl", "test_ppl", "tokens_per_second", "reward",
                                "baseline", "controller_entropy", "skip_rate", "lr"})
            REQUIRE(m.contains(key));
        rewards.push_back(m["reward"].get<double>());
    }
    REQUIRE(rewards.size() == 8);
    INFO("mean reward per epoch: first " << rewards.front() << ", last " << rewards.back());
    CHECK(rewards.back() > rewards.front() + 0.1);
    // Derive: the greedy architecture (or a better sample) uses op 3 in every layer.
    const search::MacroArch best = search::MacroArch::parse(r.best_arch);
    INFO("derived " << r.best_arch);
    CHECK(good_ops(best) == kLayers);
    const auto derive_list = run::read_json_file(tmp / "run" / "derive.json");
    REQUIRE(derive_list["candidates"][0]["arch"] == r.best_arch);
    REQUIRE(derive_list["candidates"][0]["how"] == "greedy");
    // The weights of the ops the child phase trained moved toward 1.
    CHECK(r.weights[kGoodOp] > 0.5);
}

TEST_CASE("generic loop: a resumed toy search equals an uninterrupted one", "[train]") {
    test::TempDir tmp;
    const ToyRun whole = toy_search_run(tmp / "whole", 3, -1, false);
    toy_search_run(tmp / "parts", 3, 2, false);
    const ToyRun resumed = toy_search_run(tmp / "parts", 3, -1, true);
    REQUIRE(resumed.log.find("2 epochs done") != std::string::npos);
    REQUIRE(resumed.weights == whole.weights);
    REQUIRE(resumed.controller == whole.controller);
    REQUIRE(resumed.best_arch == whole.best_arch);
    for (const char* f : {"metrics.jsonl", "archs.jsonl"})
        REQUIRE(untimed_lines(tmp / "parts" / f) == untimed_lines(tmp / "whole" / f));
    REQUIRE(run::read_json_file(tmp / "parts" / "derive.json") == run::read_json_file(tmp / "whole" / "derive.json"));
}

TEST_CASE("generic loop: RandomSearch drives the same loop", "[train]") {
    test::TempDir tmp;
    const ToyRun r = toy_search_run(tmp / "run", 2, -1, false, true);
    REQUIRE(r.last.contains("reward"));
    REQUIRE(search::MacroArch::parse(r.best_arch).num_layers() == kLayers);
}

TEST_CASE("generic final training: a toy task trains, keeps the lowest perplexity as best, and resumes", "[train]") {
    test::TempDir tmp;
    const search::MacroArch arch = search::MacroArch::parse("3 1 0 3 0 1");
    const auto train_run = [&](const std::filesystem::path& dir, std::int64_t stop_at, bool resume) {
        run::RunFolder folder(dir, resume ? run::RunFolderMode::resume : run::RunFolderMode::fresh);
        ToyTask task;
        std::ostringstream log;
        run::ProgressReporter progress(log, run::ProgressReporter::Options{});
        FinalTraining<ToyTask> trainer(task, arch, toy_loop(3), folder, progress);
        if (resume) trainer.resume();
        nlohmann::json s = trainer.run(stop_at);
        s["weights"] = task.weights();
        return s;
    };
    const nlohmann::json whole = train_run(tmp / "whole", -1, false);
    REQUIRE(whole["status"] == "finished");
    REQUIRE(whole["space"] == "macro");
    REQUIRE(whole["params"] == 6);
    REQUIRE(whole.contains("test_ppl"));
    REQUIRE(whole.contains("tokens_per_second"));
    double lowest = 1e300;
    for (const auto& h : whole["history"]) lowest = std::min(lowest, h["test_ppl"].get<double>());
    REQUIRE(whole["best_test_ppl"].get<double>() == lowest);
    REQUIRE(train_run(tmp / "parts", 2, false)["status"] == "stopped");
    const nlohmann::json resumed = train_run(tmp / "parts", -1, true);
    REQUIRE(resumed["weights"] == whole["weights"]);
    REQUIRE(resumed["test_ppl"] == whole["test_ppl"]);
    REQUIRE(untimed_lines(tmp / "parts" / "metrics.jsonl") == untimed_lines(tmp / "whole" / "metrics.jsonl"));
}
