// PtbTask (train/ptb_task.hpp) through the generic loops on a tiny synthetic corpus written to a
// temporary folder: the search runs both phases and derive, a resumed search and a resumed final
// training equal uninterrupted ones, NT-ASGD switches when its rule says and the averaged weights
// are what is evaluated, and short training brings validation perplexity far below the vocabulary
// size (also on the shared PTB, [needs-ptb]).
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "enas/controller/controllers.hpp"
#include "enas/core/random.hpp"
#include "enas/run/progress.hpp"
#include "enas/run/run_folder.hpp"
#include "enas/train/derive.hpp"
#include "enas/train/final_training.hpp"
#include "enas/train/ptb_task.hpp"
#include "enas/train/search_loop.hpp"
#include "search_fixtures.hpp"
#include "test_needs.hpp"
#include "test_utils.hpp"
#include "train_test_utils.hpp"

using namespace enas;
using namespace enas::train;

namespace {

constexpr int kWords = 40;

/// A corpus where each word mostly determines the next (w -> 3w+1 mod 40 with probability 0.9).
void write_corpus(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    Rng rng(7);
    const auto split = [&](const char* name, int lines) {
        std::ofstream out(dir / name);
        int w = 0;
        for (int l = 0; l < lines; ++l) {
            for (int i = 0; i < 12; ++i) {
                w = rng.uniform() < 0.9 ? (3 * w + 1) % kWords : static_cast<int>(rng.uniform() * kWords) % kWords;
                out << "w" << w << (i + 1 < 12 ? " " : "\n");
            }
        }
    };
    split("ptb.train.txt", 400);
    split("ptb.valid.txt", 60);
    split("ptb.test.txt", 30);
}

PtbConfig tiny_config(const std::filesystem::path& data, const std::string& mode) {
    PtbConfig c = PtbConfig::preset_for("rnn", mode, "quick");
    c.data_dir = data.string();
    c.hidden = 16;
    c.nodes = 3;
    c.batch = 4;
    c.eval_batch = 2;
    c.bptt = 8;
    c.reward_bptt = 8;
    c.epochs = 3;
    c.train_tokens = c.valid_tokens = c.test_tokens = 0;
    c.train_steps = 2;
    c.num_aggregate = 2;
    c.eval_archs = 2;
    c.derive_k = 3;
    c.derive_batches = 2;
    c.log_every = 5;
    c.validate();
    return c;
}

struct PtbRun {
    std::vector<float> weights;
    std::string best_arch, controller, log;
};

PtbRun search_run(const PtbConfig& c, const std::filesystem::path& dir, std::int64_t stop_at, bool resume) {
    const PtbData data = load_ptb_data(c);
    run::RunFolder folder(dir, resume ? run::RunFolderMode::resume : run::RunFolderMode::fresh);
    Context<Cpu> ctx(c.seed);
    child::RnnChild<Cpu> model(ctx, c.child_config(data.vocab), c.seed);
    controller::RnnController policy(c.controller_config(), 5);
    PtbTask<Cpu> task(ctx, c, data, model);
    std::ostringstream log;
    run::ProgressReporter progress(log, run::ProgressReporter::Options{});
    const SearchConfig sc = c.search_config();
    SearchLoop<PtbTask<Cpu>> loop(task, policy, sc, loop_config_of(c), folder, progress);
    if (resume) loop.resume();
    loop.run(stop_at);
    const auto candidates = derive(task, policy, sc, folder, progress);
    PtbRun r;
    r.weights = model.arena().values().to_vector();
    r.best_arch = candidates.front().arch.to_string();
    std::ostringstream state;
    policy.save(state);
    r.controller = std::move(state).str();
    r.log = log.str();
    return r;
}

std::vector<nlohmann::json> untimed(const std::filesystem::path& path) {
    std::vector<nlohmann::json> out = test::lines_without_timing(path);
    for (auto& j : out) j.erase("tokens_per_second");
    return out;
}

/// Perplexity of `arch` over `rows` with the arena's current weights, computed by hand: windows
/// of `bptt` with the state carried (`carry`) or each from a zero state, the first `windows`
/// of them (all when -1).
double ppl_by_hand(Context<Cpu>& ctx, child::RnnChild<Cpu>& model, const data::TokenRows& rows,
                   const search::RnnArch& arch, std::int64_t bptt, bool carry = true, std::int64_t windows = -1) {
    double ce = 0;
    std::int64_t tokens = 0;
    Tensor<float, Cpu> state = model.zero_state(ctx, rows.batch);
    for (std::int64_t s = 0; s < rows.length - 1 && windows != 0; s += bptt, --windows) {
        const data::BpttWindow w{s, std::min<std::int64_t>(bptt, rows.length - 1 - s), 1.0};
        const auto r = model.evaluate(ctx, arch, child::make_window<Cpu>(rows, w),
                                      carry ? state : model.zero_state(ctx, rows.batch));
        ce += r.total_cross_entropy;
        tokens += r.tokens;
        state = r.state;
    }
    return child::perplexity(ce, tokens);
}

double valid_ppl_by_hand(Context<Cpu>& ctx, child::RnnChild<Cpu>& model, const PtbData& data,
                         const search::RnnArch& arch, std::int64_t bptt) {
    return ppl_by_hand(ctx, model, data.valid, arch, bptt);
}

const char* kArch = "0 1 1 2 1 1";  // lm, N = 3: (p_l, f_l) = (0, relu), (1, sigmoid), (1, relu)

}  // namespace

TEST_CASE("ptb task: a search runs both phases and derive; a resumed one equals an uninterrupted one", "[train]") {
    test::TempDir tmp;
    write_corpus(tmp / "data");
    const PtbConfig c = tiny_config(tmp / "data", "search");
    const PtbRun whole = search_run(c, tmp / "whole", -1, false);
    const auto metrics = run::read_json_lines(tmp / "whole" / "metrics.jsonl");
    int epochs = 0;
    for (const auto& m : metrics) {
        if (m["phase"] != "epoch") continue;
        ++epochs;
        for (const char* key :
             {"train_loss", "train_ppl", "valid_ppl", "test_ppl", "tokens_per_second", "reward", "controller_entropy"})
            REQUIRE(m.contains(key));
        REQUIRE(m["valid_ppl"].get<double>() > 1.0);
        REQUIRE(m["reward"].get<double>() > 0.0);
    }
    REQUIRE(epochs == 3);
    for (const char* f : {"archs.jsonl", "best_arch.txt", "best_arch.json", "derive.json"})
        REQUIRE(std::filesystem::exists(tmp / "whole" / f));
    REQUIRE(search::RnnArch::parse(whole.best_arch, search::RnnFormat::lm).format_node_count() == 3);

    search_run(c, tmp / "parts", 2, false);
    const PtbRun resumed = search_run(c, tmp / "parts", -1, true);
    REQUIRE(resumed.log.find("2 epochs done") != std::string::npos);
    REQUIRE(resumed.weights == whole.weights);
    REQUIRE(resumed.controller == whole.controller);
    REQUIRE(resumed.best_arch == whole.best_arch);
    for (const char* f : {"metrics.jsonl", "archs.jsonl"})
        REQUIRE(untimed(tmp / "parts" / f) == untimed(tmp / "whole" / f));
}

TEST_CASE("ptb task: an epoch is one pass of random-length windows, the same after a restart", "[train]") {
    test::TempDir tmp;
    write_corpus(tmp / "data");
    const PtbConfig c = tiny_config(tmp / "data", "final");
    const PtbData data = load_ptb_data(c);
    Context<Cpu> ctx(1);
    const auto arch = search::RnnArch::parse(kArch, search::RnnFormat::lm);
    child::RnnChild<Cpu> model(ctx, c.child_config(data.vocab), 1, &arch);
    PtbTask<Cpu> task(ctx, c, data, model);
    const std::int64_t steps = task.steps_per_epoch();
    std::int64_t tokens = 0;
    for (std::int64_t s = 0; s < steps; ++s) tokens += task.train_step(arch, 1.0, {0, s, steps, 2}).count;
    REQUIRE(tokens == (data.train.length - 1) * data.train.batch);  // every target of the pass once
    const std::int64_t next = task.steps_per_epoch();
    task.start_training(1);
    REQUIRE(task.steps_per_epoch() == next);
}

TEST_CASE("ptb task: NT-ASGD switches when the rule says and evaluates the averaged weights", "[train]") {
    test::TempDir tmp;
    write_corpus(tmp / "data");
    PtbConfig c = tiny_config(tmp / "data", "final");
    c.nonmono = 1;
    const PtbData data = load_ptb_data(c);
    Context<Cpu> ctx(1);
    const auto arch = search::RnnArch::parse(kArch, search::RnnFormat::lm);
    child::RnnChild<Cpu> model(ctx, c.child_config(data.vocab), 1, &arch);
    PtbTask<Cpu> task(ctx, c, data, model);
    // Equal perplexities never switch (the rule needs "exceeds"), nor does a history of only 1 = nonmono.
    const double p0 = task.end_epoch(arch, 0)["valid_ppl"].get<double>();
    REQUIRE_FALSE(task.averaging());
    REQUIRE(task.end_epoch(arch, 1)["valid_ppl"].get<double>() == p0);
    REQUIRE_FALSE(task.averaging());
    // Worse weights: the current perplexity exceeds the min of all but the last epoch -> switch.
    std::vector<float> w = model.arena().values().to_vector();
    for (float& x : w) x *= 6.0f;
    model.arena().values().copy_from(Tensor<float, Cpu>::from_vector(model.arena().values().shape(), w));
    const nlohmann::json j = task.end_epoch(arch, 2);
    REQUIRE(j["valid_ppl"].get<double>() > p0);
    REQUIRE(task.averaging());
    REQUIRE(j.value("nt_asgd_switch", false));
    REQUIRE(task.switch_epoch() == 2);
    REQUIRE(task.average().to_vector() == w);
    // After each step the average is the mean of the weights since the switch.
    std::vector<double> sum(w.begin(), w.end());
    const std::int64_t steps = 4;
    for (std::int64_t s = 0; s < steps; ++s) {
        task.train_step(arch, 0.5, {3, s, task.steps_per_epoch(), 4});
        const std::vector<float> now = model.arena().values().to_vector();
        for (std::size_t i = 0; i < now.size(); ++i) sum[i] += now[i];
    }
    const std::vector<float> avg = task.average().to_vector();
    for (std::size_t i = 0; i < avg.size(); i += 97) REQUIRE(avg[i] == Approx(sum[i] / (steps + 1)).margin(1e-5));
    // Evaluation uses the averaged weights and leaves the trained ones in place.
    const std::vector<float> trained = model.arena().values().to_vector();
    const double evaluated = task.evaluate(Split::valid, [&] { return arch; });
    REQUIRE(model.arena().values().to_vector() == trained);
    model.arena().values().copy_from(task.average());
    const double by_hand = valid_ppl_by_hand(ctx, model, data, arch, c.bptt);
    REQUIRE(evaluated == by_hand);
    REQUIRE(by_hand != valid_ppl_by_hand(ctx, model, data, arch, c.bptt) + 1.0);  // (a number)
}

TEST_CASE("ptb task: final training learns the corpus, records valid ppl each epoch, and resumes", "[train]") {
    test::TempDir tmp;
    write_corpus(tmp / "data");
    PtbConfig c = tiny_config(tmp / "data", "final");
    c.hidden = 32;
    c.epochs = 6;
    c.nonmono = 2;
    c.drop_word = c.drop_embedding = c.drop_input = c.drop_state = c.drop_output = 0.05;
    const PtbData data = load_ptb_data(c);
    const auto arch = search::RnnArch::parse(kArch, search::RnnFormat::lm);
    const auto train_run = [&](const std::filesystem::path& dir, std::int64_t stop_at, bool resume) {
        run::RunFolder folder(dir, resume ? run::RunFolderMode::resume : run::RunFolderMode::fresh);
        Context<Cpu> ctx(c.seed);
        child::RnnChild<Cpu> model(ctx, c.child_config(data.vocab), c.seed, &arch);
        PtbTask<Cpu> task(ctx, c, data, model);
        std::ostringstream log;
        run::ProgressReporter progress(log, run::ProgressReporter::Options{});
        FinalTraining<PtbTask<Cpu>> trainer(task, arch, loop_config_of(c), folder, progress);
        if (resume) trainer.resume();
        nlohmann::json s = trainer.run(stop_at);
        s["weights"] = model.arena().values().to_vector();
        s["averaging"] = task.averaging();
        task.save_final(dir / "final_model.ckpt", arch);
        return s;
    };
    const nlohmann::json whole = train_run(tmp / "whole", -1, false);
    REQUIRE(whole["status"] == "finished");
    const nlohmann::json& history = whole["history"];
    REQUIRE(history.size() == 6);
    std::vector<double> valid;
    for (const auto& h : history) {
        REQUIRE(h.contains("valid_ppl"));
        REQUIRE(h.contains("averaging"));
        valid.push_back(h["valid_ppl"].get<double>());
    }
    // The switch happened exactly where the rule says (or never, if it never said so).
    bool switched = false;
    for (std::size_t e = 0; e < valid.size(); ++e) {
        bool rule = false;
        if (!switched && e > 2) {
            double m = valid[0];
            for (std::size_t i = 0; i < e - 2; ++i) m = std::min(m, valid[i]);
            rule = valid[e] > m;
        }
        switched = switched || rule;
        REQUIRE(history[e]["averaging"].get<bool>() == switched);
    }
    INFO("valid ppl: first " << valid.front() << ", last " << valid.back() << " (vocabulary " << kWords << ")");
    CHECK(valid.back() < kWords / 4.0);
    CHECK(whole["test_ppl"].get<double>() < kWords / 4.0);
    const run::Checkpoint final_model = run::Checkpoint::read(tmp / "whole" / "final_model.ckpt");
    REQUIRE(final_model.contains("child/values"));

    REQUIRE(train_run(tmp / "parts", 4, false)["status"] == "stopped");
    const nlohmann::json resumed = train_run(tmp / "parts", -1, true);
    REQUIRE(resumed["weights"] == whole["weights"]);
    REQUIRE(untimed(tmp / "parts" / "metrics.jsonl") == untimed(tmp / "whole" / "metrics.jsonl"));
}

TEST_CASE("ptb task: a short run on the shared PTB brings valid perplexity far below 10,000", "[train][needs-ptb]") {
    REQUIRE(test::missing_need("ptb").empty());
    PtbConfig c = PtbConfig::preset_for("rnn", "final", "quick");
    c.data_dir = (test::shared_data_dir() / "ptb").string();
    c.hidden = 32;
    c.nodes = 4;
    c.batch = 20;
    c.epochs = 1;
    c.train_tokens = 20000;
    c.valid_tokens = 3000;
    c.test_tokens = 500;
    const PtbData data = load_ptb_data(c);
    REQUIRE(data.vocab == 10000);
    Context<Cpu> ctx(c.seed);
    const auto arch = search::RnnArch::parse("0 2 1 0 2 1 2 2", search::RnnFormat::lm);
    child::RnnChild<Cpu> model(ctx, c.child_config(data.vocab), c.seed, &arch);
    PtbTask<Cpu> task(ctx, c, data, model);
    const double before = task.evaluate(Split::valid, [&] { return arch; });
    task.start_training(0);
    for (std::int64_t epoch = 0; epoch < 2; ++epoch) {
        const std::int64_t steps = task.steps_per_epoch();
        for (std::int64_t s = 0; s < steps; ++s) task.train_step(arch, c.lr, {epoch, s, steps, 2});
    }
    const double after = task.evaluate(Split::valid, [&] { return arch; });
    INFO("valid ppl " << before << " -> " << after);
    CHECK(before > 9000);  // untrained: within 10% of the vocabulary size
    CHECK(before < 11000);
    CHECK(after < 1200);
}

namespace {

/// A PtbTask that throws before its `crash_at`-th training step, as a SIGKILL would end the run.
struct CrashingPtbTask : PtbTask<Cpu> {
    using PtbTask<Cpu>::PtbTask;
    std::int64_t crash_at = 0, steps = 0;
    StepStats train_step(const Arch& arch, double lr, const StepAt& at) {
        if (crash_at > 0 && ++steps == crash_at) throw std::runtime_error("killed");
        return PtbTask<Cpu>::train_step(arch, lr, at);
    }
};

}  // namespace

TEST_CASE("ptb task: a final training killed after a mid-epoch checkpoint resumes to the uninterrupted run",
          "[train]") {
    test::TempDir tmp;
    write_corpus(tmp / "data");
    PtbConfig c = tiny_config(tmp / "data", "final");
    c.epochs = 3;
    c.nonmono = 1;
    const PtbData data = load_ptb_data(c);
    const auto arch = search::RnnArch::parse(kArch, search::RnnFormat::lm);
    const auto train_run = [&](const std::filesystem::path& dir, std::int64_t crash_at, bool resume) {
        run::RunFolder folder(dir, resume ? run::RunFolderMode::resume : run::RunFolderMode::fresh);
        Context<Cpu> ctx(c.seed);
        child::RnnChild<Cpu> model(ctx, c.child_config(data.vocab), c.seed, &arch);
        CrashingPtbTask task(ctx, c, data, model);
        task.crash_at = crash_at;
        std::ostringstream log;
        run::ProgressReporter progress(log, run::ProgressReporter::Options{});
        FinalTraining<CrashingPtbTask> trainer(task, arch, loop_config_of(c), folder, progress);
        trainer.set_checkpoint_every(0.0);  // a checkpoint after every step
        if (resume) trainer.resume();
        nlohmann::json s;
        try {
            s = trainer.run();
        } catch (const std::runtime_error& e) { s = {{"killed", e.what()}}; }
        s["weights"] = model.arena().values().to_vector();
        s["log"] = log.str();
        return s;
    };
    const nlohmann::json whole = train_run(tmp / "whole", 0, false);
    Context<Cpu> ctx(c.seed);
    child::RnnChild<Cpu> probe_model(ctx, c.child_config(data.vocab), c.seed, &arch);
    const std::int64_t first_pass = PtbTask<Cpu>(ctx, c, data, probe_model).steps_per_epoch();
    // Killed before the 3rd window of the 2nd pass: 2 windows of it done, with a state carried.
    const nlohmann::json crashed = train_run(tmp / "parts", first_pass + 3, false);
    REQUIRE(crashed.value("killed", "") == "killed");
    const nlohmann::json resumed = train_run(tmp / "parts", 0, true);
    INFO(resumed["log"].get<std::string>());
    REQUIRE(resumed["log"].get<std::string>().find("2 steps of epoch 2 done") != std::string::npos);
    REQUIRE(resumed["weights"] == whole["weights"]);
    REQUIRE(untimed(tmp / "parts" / "metrics.jsonl") == untimed(tmp / "whole" / "metrics.jsonl"));
}

TEST_CASE("ptb task: rewards and derive read the validation split, evaluations the split they name", "[train]") {
    test::TempDir tmp;
    write_corpus(tmp / "data");
    PtbConfig c = tiny_config(tmp / "data", "search");
    c.reward_bptt = 6;
    const PtbData data = load_ptb_data(c);
    Context<Cpu> ctx(c.seed);
    child::RnnChild<Cpu> model(ctx, c.child_config(data.vocab), c.seed);
    PtbTask<Cpu> task(ctx, c, data, model);
    const auto arch = search::RnnArch::parse(kArch, search::RnnFormat::lm);
    // Reward k: 80 / ppl of validation slice k (batch rows, zero state), slices in order.
    for (std::int64_t k = 0; k < 2; ++k) {
        const data::TokenRows slice = [&] {
            data::TokenRows r;
            r.batch = data.reward.batch;
            r.length = c.reward_bptt + 1;
            for (std::int64_t b = 0; b < r.batch; ++b)
                for (std::int64_t t = 0; t <= c.reward_bptt; ++t)
                    r.ids.push_back(data.reward.at(b, k * c.reward_bptt + t));
            return r;
        }();
        const double by_hand = 80.0 / ppl_by_hand(ctx, model, slice, arch, c.reward_bptt);
        REQUIRE(task.reward(arch) == Approx(by_hand).epsilon(1e-12));
    }
    REQUIRE(task.derive_reward(arch, 2) ==
            Approx(80.0 / ppl_by_hand(ctx, model, data.reward, arch, c.reward_bptt, false, 2)).epsilon(1e-12));
    const auto same = [&] { return arch; };
    for (const auto& [split, rows] : {std::pair{Split::valid, &data.valid}, std::pair{Split::test, &data.test},
                                      std::pair{Split::train, &data.train}})
        REQUIRE(task.evaluate(split, same) == Approx(ppl_by_hand(ctx, model, *rows, arch, c.bptt)).epsilon(1e-12));
    // The splits differ, so reading another one would not match.
    REQUIRE(ppl_by_hand(ctx, model, data.train, arch, c.reward_bptt, false, 2) !=
            Approx(ppl_by_hand(ctx, model, data.reward, arch, c.reward_bptt, false, 2)).epsilon(1e-6));
    REQUIRE(data.test.batch == 1);  // test perplexity with batch 1, as the reference
}
