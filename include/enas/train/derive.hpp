// The derive step (paper §2.2; the authors ship none, reference §1): sample k architectures from
// the trained policy (the greedy one first, then stochastic samples), score each with the shared
// weights on the same validation batches, and pick the best. Writes best_arch.txt (the authors'
// flat string, what cifar_train --arch reads), best_arch.json, and derive.json (every candidate
// with its score, best first).
#pragma once
#include <algorithm>
#include <set>

#include "enas/search/arch_json.hpp"
#include "enas/train/search_loop.hpp"

namespace enas::train {

struct DeriveCandidate {
    std::string arch;
    std::string how;  ///< "greedy" or "sampled"
    double score = 0;  ///< mean validation-batch accuracy with shared weights
    double log_prob = 0;
};

template <Device D, class Model, class Arch>
std::vector<DeriveCandidate> derive(Context<D>& ctx, Model& model, controller::ArchitecturePolicy& policy,
                                    SearchLoop<D, Model, Arch>& loop, const SearchConfig& search, run::RunFolder& run,
                                    run::ProgressReporter& progress) {
    // The same batches for every candidate, drawn at counters the search never uses.
    std::vector<data::Batch> batches;
    const std::uint64_t base = std::uint64_t{1} << 40;
    for (int b = 0; b < search.derive_batches; ++b) batches.push_back(loop.reward_batches().sample(base + b));
    std::vector<DeriveCandidate> out;
    std::set<std::string> seen;
    progress.begin("derive", 0, 0, search.derive_k);
    controller::Sample sample;
    for (int k = 0; k < search.derive_k; ++k) {
        policy.sample_into(sample, k == 0 ? controller::SampleMode::Greedy : controller::SampleMode::Stochastic);
        const Arch arch = loop.to_arch(sample.tokens);
        DeriveCandidate c{arch.to_string(), k == 0 ? "greedy" : "sampled", 0.0, sample.log_prob};
        if (!seen.insert(c.arch).second) continue;  // score each distinct architecture once
        double sum = 0;
        for (const data::Batch& b : batches) sum += eval_accuracy(ctx, model, arch, b);
        c.score = sum / static_cast<double>(batches.size());
        out.push_back(c);
        progress.update(k + 1, {{"score", c.score}});
    }
    progress.end();
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
    const Arch best = loop.to_arch([&] {
        std::vector<int> t;
        std::istringstream in(out.front().arch);
        for (int v; in >> v;) t.push_back(v);
        return t;
    }());
    run.write_text("best_arch.txt", out.front().arch + "\n");
    run.write_text("best_arch.json", search::dump_readable(search::arch_to_json(best)) + "\n");
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : out)
        list.push_back({{"arch", c.arch}, {"how", c.how}, {"score", c.score}, {"log_prob", c.log_prob}});
    run.write_json("derive.json", {{"batches", search.derive_batches}, {"candidates", list}});
    return out;
}

}  // namespace enas::train
