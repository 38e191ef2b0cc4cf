// The derive step (paper §2.2; the authors ship none, reference §1), generic over a SearchTask:
// sample k architectures from the trained policy (the greedy one first, then stochastic samples),
// score each with the task's shared weights on the same fixed batches (task.derive_reward), and
// pick the best. Writes best_arch.txt (the authors' flat string, what cifar_train --arch reads),
// best_arch.json, and derive.json (every candidate with its score, best first). Each candidate
// polls run::poll_stop (SIGINT / SIGTERM): --resume redoes the derive step.
#pragma once
#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "enas/controller/policy.hpp"
#include "enas/run/progress.hpp"
#include "enas/run/run_folder.hpp"
#include "enas/run/stop.hpp"
#include "enas/search/arch_json.hpp"
#include "enas/search/space.hpp"
#include "enas/train/search_config.hpp"
#include "enas/train/task.hpp"

namespace enas::train {

template <class Arch>
struct DeriveCandidate {
    Arch arch;
    std::string how;   ///< "greedy" or "sampled"
    double score = 0;  ///< mean reward on the fixed derive batches with shared weights
    double log_prob = 0;
};

/// Samples `search.derive_k` candidates from `policy`, scores each distinct one with
/// task.derive_reward(arch, search.derive_batches) and returns them best first (a stable sort,
/// so the greedy one wins a tie); writes the run files above.
template <SearchTask Task>
std::vector<DeriveCandidate<typename Task::Arch>> derive(Task& task, controller::ArchitecturePolicy& policy,
                                                         const SearchConfig& search, run::RunFolder& run,
                                                         run::ProgressReporter& progress) {
    using Arch = typename Task::Arch;
    std::vector<DeriveCandidate<Arch>> out;
    std::set<std::string> seen;
    progress.begin("derive", 0, 0, search.derive_k);
    controller::Sample sample;
    for (int k = 0; k < search.derive_k; ++k) {
        run::poll_stop([&] {
            return run::StopPoint{.run_dir = run.dir(),
                                  .last_checkpoint = {},
                                  .epochs_saved = 0,
                                  .phase = "derive",
                                  .epoch = 0,
                                  .step = k,
                                  .steps = search.derive_k,
                                  .steps_saved = 0};
        });
        policy.sample_into(sample, k == 0 ? controller::SampleMode::Greedy : controller::SampleMode::Stochastic);
        DeriveCandidate<Arch> c{search::arch_from_tokens<Arch>(task.space(), sample.tokens),
                                k == 0 ? "greedy" : "sampled", 0.0, sample.log_prob};
        if (!seen.insert(c.arch.to_string()).second) continue;  // score each distinct architecture once
        c.score = task.derive_reward(c.arch, search.derive_batches);
        progress.update(k + 1, {{"score", c.score}});
        out.push_back(std::move(c));
    }
    progress.end();
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
    const Arch& best = out.front().arch;
    run.write_text("best_arch.txt", best.to_string() + "\n");
    run.write_text("best_arch.json", search::dump_readable(search::arch_to_json(best)) + "\n");
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : out)
        list.push_back({{"arch", c.arch.to_string()}, {"how", c.how}, {"score", c.score}, {"log_prob", c.log_prob}});
    run.write_json("derive.json", {{"batches", search.derive_batches}, {"candidates", list}});
    return out;
}

}  // namespace enas::train
