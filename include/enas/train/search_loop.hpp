// The ENAS search loop (reference §1, §7.2, §7.3), generic over a SearchTask (task.hpp). Each epoch:
//   1. child phase: task.steps_per_epoch() training steps (asked each epoch), a freshly sampled
//      architecture per step;
//   2. controller phase (epochs >= controller_start_epoch): train_steps x num_aggregate samples,
//      each rewarded by task.reward (the CNNs: accuracy on a fresh unaugmented validation batch),
//      REINFORCE updates;
//   3. eval_archs sampled architectures with their reward (archs.jsonl), then the task's metric on
//      the valid and test splits with shared weights, a fresh sample per eval batch;
//   4. a metrics line and an atomic checkpoint of everything (the task's state: weights, optimiser,
//      RNG and data counters; the policy's whole state; the loop's counters and history).
// A task with `start_training(epoch, step)` (the CNN and PTB tasks) also gets mid-epoch checkpoints in
// the child phase (checkpoints/step-<steps done>.bin, as final_training.hpp: every
// set_checkpoint_every minutes and when a stop is requested; the newest only, deleted by the next
// epoch checkpoint). Every step boundary polls run::poll_stop (SIGINT / SIGTERM, stop.hpp); work
// after the last checkpoint is redone by --resume. Works with any ArchitecturePolicy (the ENAS
// controller or RandomSearch). derive.hpp picks the final architecture afterwards.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "enas/controller/policy.hpp"
#include "enas/run/checkpoint_set.hpp"
#include "enas/run/progress.hpp"
#include "enas/run/resume.hpp"
#include "enas/run/run_folder.hpp"
#include "enas/run/stop.hpp"
#include "enas/search/space.hpp"
#include "enas/train/loop_config.hpp"
#include "enas/train/search_config.hpp"
#include "enas/train/task.hpp"

namespace enas::train {

template <SearchTask Task>
class SearchLoop {
public:
    using Arch = typename Task::Arch;

    SearchLoop(Task& task, controller::ArchitecturePolicy& policy, const SearchConfig& search, LoopConfig loop,
               run::RunFolder& run, run::ProgressReporter& progress)
        : task_(task), policy_(policy), search_(search), loop_(std::move(loop)), run_(run), progress_(progress),
          checkpoints_(run.checkpoint_folder()), steps_(run.checkpoint_folder(), 1, "step"),
          names_(task.metric_names()) {}

    /// Whether the task can resume inside an epoch (mid-epoch checkpoints are written).
    static constexpr bool kMidEpoch = requires(Task & t) { t.start_training(std::int64_t{}, std::int64_t{}); };

    /// Writes a mid-epoch checkpoint at the first child step boundary `minutes` after the previous
    /// checkpoint (0: after every step; negative: never, only on a stop request). Default 30.
    void set_checkpoint_every(double minutes) { checkpoint_every_s_ = minutes * 60.0; }

    /// Continues from the newest valid checkpoint, if any; returns the epochs already done.
    std::int64_t resume() {
        const auto restore = [&](const run::Checkpoint& c, const nlohmann::json& progress) {
            task_.restore(c, progress);
            std::istringstream in(c.blob("controller"));
            policy_.load(in, c.path().string() + " (controller section)");
        };
        const std::optional<nlohmann::json> p =
            run::resume_latest(checkpoints_, run_, progress_, restore, kMidEpoch ? &steps_ : nullptr);
        if (!p) return 0;
        epochs_done_ = p->at("epochs_done").get<std::int64_t>();
        history_ = p->at("history");
        seconds_before_ = p->value("seconds", 0.0);
        if (p->contains("steps_done")) {
            start_step_ = steps_saved_ = p->at("steps_done").get<std::int64_t>();
            const nlohmann::json& sums = p->at("epoch_sums");
            start_sums_ = {sums.at("loss").get<double>(), sums.at("metric").get<double>(),
                           sums.at("count").get<std::int64_t>()};
        }
        check<ValueError>(epochs_done_ <= loop_.epochs, "--resume: the run has ", epochs_done_,
                          " epochs done, more than the ", loop_.epochs, " asked for (--epochs)");
        return epochs_done_;
    }

    /// Runs the remaining epochs (or stops after epoch `stop_at` - 1 when 0 <= stop_at < epochs, as
    /// an interruption would). Returns the last epoch's metrics record (the last one of the
    /// history when every epoch was already done, e.g. a search resumed in its derive step).
    /// Throws run::Interrupted at a step boundary after SIGINT / SIGTERM.
    nlohmann::json run(std::int64_t stop_at = -1) {
        const std::int64_t end = stop_at >= 0 ? std::min(stop_at, loop_.epochs) : loop_.epochs;
        if constexpr (kMidEpoch) {
            if (start_step_ > 0)
                task_.start_training(epochs_done_, start_step_);
            else
                task_.start_training(epochs_done_);
        } else {
            task_.start_training(epochs_done_);
        }
        last_save_ = std::chrono::steady_clock::now();
        nlohmann::json record;
        for (std::int64_t epoch = epochs_done_; epoch < end; ++epoch) {
            const auto t0 = std::chrono::steady_clock::now();
            const std::int64_t steps = task_.steps_per_epoch();  // per epoch: a PTB pass's window count varies
            record = {{"phase", "epoch"}, {"epoch", epoch}, {"lr", loop_.lr(epoch)}};
            child_phase(epoch, steps, record);
            if (epoch >= search_.controller_start_epoch) controller_phase(epoch, record);
            eval_phase(epoch, record);
            record["seconds"] = run::seconds_since(t0);
            run_.append_metrics(record);
            history_.push_back(record);
            seconds_before_ += run::seconds_since(t0);
            epochs_done_ = epoch + 1;
            save_checkpoint();
        }
        if (record.is_null() && !history_.empty()) record = history_.back();
        return record;
    }

    std::int64_t epochs_done() const { return epochs_done_; }
    double seconds() const { return seconds_before_; }
    const nlohmann::json& history() const { return history_; }

private:
    Arch sample_arch(controller::Sample& sample) {
        policy_.sample_into(sample);
        return search::arch_from_tokens<Arch>(task_.space(), sample.tokens);
    }

    run::StopPoint stop_point(const char* phase, std::int64_t epoch, std::int64_t step, std::int64_t steps) const {
        return {.run_dir = run_.dir(),
                .last_checkpoint = steps_saved_ > 0   ? steps_.path_for(steps_saved_)
                                   : epochs_done_ > 0 ? checkpoints_.path_for(epochs_done_)
                                                      : std::filesystem::path(),
                .epochs_saved = epochs_done_,
                .phase = phase,
                .epoch = epoch,
                .step = step,
                .steps = steps,
                .steps_saved = steps_saved_};
    }

    void child_phase(std::int64_t epoch, std::int64_t steps, nlohmann::json& record) {
        const double lr = loop_.lr(epoch);
        const auto t0 = std::chrono::steady_clock::now();
        const std::int64_t first = steps_saved_;  // > 0 when resumed from a mid-epoch checkpoint
        Sums sums = first > 0 ? start_sums_ : Sums{};
        double& loss_sum = sums.loss;
        double& metric_sum = sums.metric;
        std::int64_t& count = sums.count;
        controller::Sample sample;
        progress_.begin("child", epoch, loop_.epochs, steps);
        for (std::int64_t s = first; s < steps; ++s) {
            if constexpr (kMidEpoch) {
                if (run::stop_signal() && s > steps_saved_) save_step_checkpoint(s, sums);  // lose nothing
            }
            run::poll_stop([&] { return stop_point("child", epoch, s, steps); });
            const Arch arch = sample_arch(sample);
            const StepStats r = task_.train_step(arch, lr, StepAt{epoch, s, steps, loop_.epochs});
            loss_sum += r.loss * r.count;
            metric_sum += r.metric * r.count;
            count += r.count;
            progress_.update(s + 1, {{"loss", r.loss}, {names_.short_name, r.metric}, {"lr", lr}}, r.count);
            if ((s + 1) % loop_.log_every == 0 || s + 1 == steps)
                run_.append_metrics({{"phase", "child"},
                                     {"epoch", epoch},
                                     {"step", s + 1},
                                     {"loss", r.loss},
                                     {names_.metric, r.metric},
                                     {"lr", lr},
                                     {names_.rate, count / std::max(run::seconds_since(t0), 1e-9)}});
            if constexpr (kMidEpoch) {
                if (s + 1 < steps && checkpoint_every_s_ >= 0 && run::seconds_since(last_save_) >= checkpoint_every_s_)
                    save_step_checkpoint(s + 1, sums);
            }
        }
        progress_.end();
        record["train_loss"] = loss_sum / count;
        record["train_" + names_.metric] = metric_sum / count;
        record[names_.rate] = count / std::max(run::seconds_since(t0), 1e-9);
    }

    void controller_phase(std::int64_t epoch, nlohmann::json& record) {
        const std::int64_t calls = static_cast<std::int64_t>(search_.train_steps) * search_.num_aggregate;
        if (calls == 0) return;
        double reward_sum = 0, entropy_sum = 0, skip_sum = 0, loss_sum = 0;
        controller::Sample sample;
        progress_.begin("controller", epoch, loop_.epochs, calls);
        for (std::int64_t i = 0; i < calls; ++i) {
            run::poll_stop([&] { return stop_point("controller", epoch, i, calls); });
            const Arch arch = sample_arch(sample);
            const double reward = task_.reward(arch);
            const controller::UpdateResult u = policy_.update(sample, reward);
            reward_sum += reward;
            entropy_sum += sample.entropy;
            skip_sum += task_.skip_rate(arch);
            loss_sum += u.loss;
            progress_.update(i + 1, {{"reward", reward}, {"baseline", u.baseline}});
        }
        progress_.end();
        record["reward"] = reward_sum / calls;
        record["baseline"] = policy_.baseline();
        record["controller_entropy"] = entropy_sum / calls;
        record["controller_loss"] = loss_sum / calls;
        record["skip_rate"] = skip_sum / calls;
        record["controller_step"] = policy_.step();
    }

    void eval_phase(std::int64_t epoch, nlohmann::json& record) {
        controller::Sample sample;
        const std::int64_t eval_steps = search_.eval_archs + 2;  // the sampled archs, then valid and test
        for (int k = 0; k < search_.eval_archs; ++k) {
            run::poll_stop([&] { return stop_point("eval", epoch, k, eval_steps); });
            const Arch arch = sample_arch(sample);
            const double reward = task_.reward(arch);
            run_.append_arch(
                {{"epoch", epoch}, {"arch", arch.to_string()}, {"reward", reward}, {"log_prob", sample.log_prob}});
        }
        // A fresh sample per evaluation batch (as the authors).
        const auto sampled = [&] { return sample_arch(sample); };
        const std::string valid_key = "valid_" + names_.metric, test_key = "test_" + names_.metric;
        run::poll_stop([&] { return stop_point("eval", epoch, eval_steps - 2, eval_steps); });
        record[valid_key] = task_.evaluate(Split::valid, sampled);
        run::poll_stop([&] { return stop_point("eval", epoch, eval_steps - 1, eval_steps); });
        record[test_key] = task_.evaluate(Split::test, sampled);
        progress_.message("epoch " + std::to_string(epoch + 1) + ": shared-weight valid " + names_.metric + " " +
                          run::format_scalar(record[valid_key].get<double>()) + ", test " + names_.metric + " " +
                          run::format_scalar(record[test_key].get<double>()) +
                          (record.contains("reward")
                               ? ", mean reward " + run::format_scalar(record["reward"].get<double>())
                               : std::string()));
    }

    struct Sums {
        double loss = 0, metric = 0;
        std::int64_t count = 0;
    };

    /// The whole state: the task's, the policy's, the loop's counters and history, plus the entries of `progress`.
    run::CheckpointWriter checkpoint_of(nlohmann::json progress) {
        run::CheckpointWriter w;
        progress["epochs_done"] = epochs_done_;
        progress["history"] = history_;
        task_.save(w, progress);
        std::ostringstream controller_state;
        policy_.save(controller_state);
        w.add_blob("controller", std::move(controller_state).str());
        progress["seconds"] = seconds_before_;
        w.add_json("progress", progress);
        return w;
    }

    void save_checkpoint() {
        checkpoints_.save(epochs_done_, checkpoint_of(nlohmann::json::object()));
        steps_.remove_after(-1);  // the epoch checkpoint supersedes every mid-epoch one
        steps_saved_ = 0;
        last_save_ = std::chrono::steady_clock::now();
    }

    /// A mid-epoch checkpoint after `steps_done` child steps of epoch epochs_done_.
    void save_step_checkpoint(std::int64_t steps_done, const Sums& sums) {
        steps_.save(
            steps_done,
            checkpoint_of({{"steps_done", steps_done},
                           {"epoch_sums", {{"loss", sums.loss}, {"metric", sums.metric}, {"count", sums.count}}}}));
        steps_saved_ = steps_done;
        last_save_ = std::chrono::steady_clock::now();
    }

    Task& task_;
    controller::ArchitecturePolicy& policy_;
    SearchConfig search_;
    LoopConfig loop_;
    run::RunFolder& run_;
    run::ProgressReporter& progress_;
    run::CheckpointSet checkpoints_;
    run::CheckpointSet steps_;  // mid-epoch checkpoints, keyed by the child steps done in their epoch
    MetricNames names_;
    std::int64_t epochs_done_ = 0;
    std::int64_t start_step_ = 0;   // > 0 when resumed from a mid-epoch checkpoint
    std::int64_t steps_saved_ = 0;  // child steps of epoch epochs_done_ in the newest checkpoint
    Sums start_sums_;
    double checkpoint_every_s_ = 30 * 60.0;
    std::chrono::steady_clock::time_point last_save_ = std::chrono::steady_clock::now();
    double seconds_before_ = 0;
    nlohmann::json history_ = nlohmann::json::array();
};

}  // namespace enas::train
