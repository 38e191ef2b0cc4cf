// Wiring of the search loop itself, seen from a recording task and a recording policy (a real
// MacroController underneath): every child step trains on a freshly sampled architecture, the one
// just drawn; every controller update gets the sample just drawn and the reward the task gave for
// that very architecture; and the child steps of epoch e sample from the policy as the controller
// phase of epoch e - 1 left it (its Adam step count).
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <vector>

#include "enas/controller/controllers.hpp"
#include "enas/run/checkpoint.hpp"
#include "enas/run/progress.hpp"
#include "enas/run/run_folder.hpp"
#include "enas/search/macro_arch.hpp"
#include "enas/train/search_loop.hpp"
#include "test_utils.hpp"
#include "train_test_utils.hpp"

using namespace enas;
using namespace enas::train;

namespace {

/// What the loop did, in order: samples (with the policy's Adam step at the time), task calls.
struct Event {
    enum Kind { sample, train, reward, update } kind;
    std::vector<int> tokens;
    std::int64_t policy_step = 0;
    double value = 0;
};

class RecordingPolicy final : public controller::ArchitecturePolicy {
public:
    RecordingPolicy(controller::ArchitecturePolicy& inner, std::vector<Event>& log) : inner_(inner), log_(log) {}
    controller::SpaceKind space() const override { return inner_.space(); }
    std::size_t num_tokens() const override { return inner_.num_tokens(); }
    std::span<const int> cardinalities() const override { return inner_.cardinalities(); }
    void sample_into(controller::Sample& out, controller::SampleMode mode) override {
        inner_.sample_into(out, mode);
        log_.push_back({Event::sample, out.tokens, inner_.step(), 0});
    }
    void score_into(std::span<const int> tokens, controller::Sample& out) override { inner_.score_into(tokens, out); }
    controller::UpdateResult update(const controller::Sample& s, double reward) override {
        log_.push_back({Event::update, s.tokens, inner_.step(), reward});
        return inner_.update(s, reward);
    }
    double baseline() const override { return inner_.baseline(); }
    std::int64_t step() const override { return inner_.step(); }
    void save(std::ostream& out) const override { inner_.save(out); }
    void load(std::istream& in, const std::string& source) override { inner_.load(in, source); }

private:
    controller::ArchitecturePolicy& inner_;
    std::vector<Event>& log_;
};

class RecordingTask {
public:
    using Arch = search::MacroArch;
    explicit RecordingTask(std::vector<Event>& log) : log_(log) {}
    search::SearchSpace space() const { return search::SearchSpace::macro; }
    MetricNames metric_names() const { return {"accuracy", "acc", "images_per_second", true}; }
    std::int64_t steps_per_epoch() const { return 5; }
    std::int64_t num_params() const { return 1; }
    void start_training(std::int64_t) {}
    StepStats train_step(const Arch& arch, double, const StepAt&) {
        log_.push_back({Event::train, arch.tokens(), 0, 0});
        return {1.0, 0.5, 1};
    }
    double reward(const Arch& arch) {
        const std::vector<int> t = arch.tokens();
        double r = 0.1;
        for (std::size_t i = 0; i < t.size(); ++i) r += 0.01 * static_cast<double>(t[i] * (i + 1) % 7);
        log_.push_back({Event::reward, t, 0, r});
        return r;
    }
    double derive_reward(const Arch& arch, int) { return reward(arch); }
    double skip_rate(const Arch& arch) const { return arch.skip_rate(); }
    double evaluate(Split, const std::function<Arch()>& next_arch) {
        next_arch();
        return 0.5;
    }
    void save(run::CheckpointWriter&, nlohmann::json&) {}
    void restore(const run::Checkpoint&, const nlohmann::json&) {}

private:
    std::vector<Event>& log_;
};

static_assert(SearchTask<RecordingTask>);

}  // namespace

TEST_CASE("loop wiring: fresh samples per step, updates with their own rewards, the next epoch from the updated policy",
          "[train]") {
    test::TempDir tmp;
    SearchConfig sc;
    sc.train_steps = 3;
    sc.num_aggregate = 2;
    sc.eval_archs = 1;
    controller::MacroControllerConfig cc;
    cc.num_layers = 4;
    cc.reinforce = sc.reinforce(cc.reinforce);
    controller::MacroController inner(cc, 11);
    std::vector<Event> log;
    RecordingPolicy policy(inner, log);
    RecordingTask task(log);
    run::RunFolder folder(tmp / "run", run::RunFolderMode::fresh);
    std::ostringstream out;
    run::ProgressReporter progress(out, run::ProgressReporter::Options{});
    const std::int64_t epochs = 3;
    SearchLoop<RecordingTask> loop(task, policy, sc, LoopConfig{epochs, 100, [](std::int64_t) { return 0.1; }}, folder,
                                   progress);
    loop.run();

    std::int64_t trains = 0, updates = 0, epoch = 0, in_epoch = 0;
    std::set<std::vector<int>> distinct;
    for (std::size_t i = 0; i < log.size(); ++i) {
        const Event& e = log[i];
        if (e.kind == Event::train) {
            // The arch trained on is the sample drawn just before it, from the policy as the
            // previous epochs' controller phases left it.
            INFO("train step " << trains);
            REQUIRE(i > 0);
            REQUIRE(log[i - 1].kind == Event::sample);
            REQUIRE(log[i - 1].tokens == e.tokens);
            REQUIRE(log[i - 1].policy_step == epoch * sc.train_steps);
            distinct.insert(e.tokens);
            ++trains;
            if (++in_epoch == task.steps_per_epoch()) ++epoch, in_epoch = 0;
        } else if (e.kind == Event::update) {
            // sample -> reward of that arch -> update with that sample and that reward
            INFO("update " << updates);
            REQUIRE(i >= 2);
            REQUIRE(log[i - 2].kind == Event::sample);
            REQUIRE(log[i - 1].kind == Event::reward);
            REQUIRE(log[i - 2].tokens == e.tokens);
            REQUIRE(log[i - 1].tokens == e.tokens);
            REQUIRE(log[i - 1].value == e.value);
            ++updates;
        }
    }
    REQUIRE(trains == epochs * task.steps_per_epoch());
    REQUIRE(updates == epochs * sc.train_steps * sc.num_aggregate);
    REQUIRE(inner.step() == epochs * sc.train_steps);
    REQUIRE(distinct.size() >= static_cast<std::size_t>(trains) / 2);  // fresh samples, not one reused arch
}
