// Final training of one fixed architecture (reference §7.4), generic over a FinalTask (task.hpp):
// epochs of task.train_step with the caller's learning-rate schedule, the task's test metric after
// every epoch, metrics.jsonl lines, an atomic checkpoint per epoch (the task's state and the
// history), resume from the newest valid checkpoint, and a stop with a message on a non-finite
// loss (a ValueError from the task: the last good checkpoint stays). A task with
// `end_epoch(arch, epoch) -> json` has it called after each epoch's steps, before the test
// metric, and its object merged into the epoch record (PtbTask: validation perplexity, NT-ASGD).
// A task with `start_training(epoch, step)` (the CNN and PTB tasks) also gets mid-epoch checkpoints
// (checkpoints/step-<steps done>.bin, the newest one only, all deleted by the next epoch
// checkpoint): one at the first step boundary `set_checkpoint_every` minutes after the previous
// checkpoint, and one when a stop is requested. Every training step polls run::poll_stop (SIGINT /
// SIGTERM, stop.hpp); without mid-epoch checkpoints an interrupted epoch is redone from the last
// epoch checkpoint by --resume. Used by cifar_train and ptb_train.
#pragma once
#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "enas/core/error.hpp"
#include "enas/run/checkpoint_set.hpp"
#include "enas/run/progress.hpp"
#include "enas/run/resume.hpp"
#include "enas/run/run_folder.hpp"
#include "enas/run/stop.hpp"
#include "enas/search/space.hpp"
#include "enas/train/loop_config.hpp"
#include "enas/train/task.hpp"

namespace enas::train {

template <FinalTask Task>
class FinalTraining {
public:
    using Arch = typename Task::Arch;

    FinalTraining(Task& task, Arch arch, LoopConfig loop, run::RunFolder& run, run::ProgressReporter& progress)
        : task_(task), arch_(std::move(arch)), loop_(std::move(loop)), run_(run), progress_(progress),
          checkpoints_(run.checkpoint_folder()), steps_(run.checkpoint_folder(), 1, "step"),
          names_(task.metric_names()) {}

    /// Whether the task can resume inside an epoch (mid-epoch checkpoints are written).
    static constexpr bool kMidEpoch = requires(Task & t) { t.start_training(std::int64_t{}, std::int64_t{}); };

    /// Writes a mid-epoch checkpoint at the first step boundary `minutes` after the previous
    /// checkpoint (0: after every step; negative: never, only on a stop request). Default 30.
    void set_checkpoint_every(double minutes) { checkpoint_every_s_ = minutes * 60.0; }

    /// Continues from the newest valid checkpoint of the run folder, if any; returns the epoch
    /// to start from (0 without a checkpoint). Warnings about skipped (damaged) checkpoints go to
    /// the progress reporter.
    std::int64_t resume() {
        const auto restore = [&](const run::Checkpoint& c, const nlohmann::json& progress) {
            task_.restore(c, progress);
        };
        const std::optional<nlohmann::json> p =
            run::resume_latest(checkpoints_, run_, progress_, restore, kMidEpoch ? &steps_ : nullptr);
        if (!p) return 0;
        start_epoch_ = p->at("epochs_done").get<std::int64_t>();
        history_ = p->at("history");
        if (p->contains("steps_done")) {
            start_step_ = p->at("steps_done").get<std::int64_t>();
            const nlohmann::json& sums = p->at("epoch_sums");
            start_sums_ = {sums.at("loss").get<double>(), sums.at("metric").get<double>(),
                           sums.at("count").get<std::int64_t>()};
        }
        check<ValueError>(start_epoch_ <= loop_.epochs, "--resume: the run has ", start_epoch_,
                          " epochs done, more than the ", loop_.epochs, " asked for (--epochs)");
        return start_epoch_;
    }

    /// Trains the remaining epochs (or stops after epoch `stop_at` - 1 when 0 <= stop_at <
    /// epochs, as an interruption would); returns the summary (also written to summary.json).
    /// Throws run::Interrupted at a step boundary after SIGINT / SIGTERM (no summary then).
    nlohmann::json run(std::int64_t stop_at = -1) {
        const std::int64_t end = stop_at >= 0 ? std::min(stop_at, loop_.epochs) : loop_.epochs;
        if constexpr (kMidEpoch) {
            if (start_step_ > 0)
                task_.start_training(start_epoch_, start_step_);
            else
                task_.start_training(start_epoch_);
        } else {
            task_.start_training(start_epoch_);
        }
        last_save_ = std::chrono::steady_clock::now();
        const std::string train_key = "train_" + names_.metric, test_key = "test_" + names_.metric;
        double rate = 0;
        for (std::int64_t epoch = start_epoch_; epoch < end; ++epoch) {
            const double lr = loop_.lr(epoch);
            const std::int64_t steps = task_.steps_per_epoch();  // per epoch: a PTB pass's window count varies
            const auto t0 = std::chrono::steady_clock::now();
            const std::int64_t first = epoch == start_epoch_ ? start_step_ : 0;
            Sums sums = first > 0 ? start_sums_ : Sums{};
            double& loss_sum = sums.loss;
            double& metric_sum = sums.metric;
            std::int64_t& count = sums.count;
            std::filesystem::path last_checkpoint = first > 0   ? steps_.path_for(first)
                                                    : epoch > 0 ? checkpoints_.path_for(epoch)
                                                                : std::filesystem::path();
            std::int64_t steps_saved = first;
            progress_.begin("train", epoch, loop_.epochs, steps);
            for (std::int64_t s = first; s < steps; ++s) {
                if constexpr (kMidEpoch) {
                    // Stopping inside an epoch: save it first, so --resume loses nothing.
                    if (run::stop_signal() && s > steps_saved) {
                        last_checkpoint = save_step_checkpoint(epoch, s, sums);
                        steps_saved = s;
                    }
                }
                run::poll_stop([&] {
                    return run::StopPoint{.run_dir = run_.dir(),
                                          .last_checkpoint = last_checkpoint,
                                          .epochs_saved = epoch,
                                          .phase = "train",
                                          .epoch = epoch,
                                          .step = s,
                                          .steps = steps,
                                          .steps_saved = steps_saved};
                });
                StepStats r;
                try {
                    r = task_.train_step(arch_, lr, StepAt{epoch, s, steps, loop_.epochs});
                } catch (const ValueError& e) {
                    progress_.message(std::string("error: ") + e.what());
                    write_summary("diverged", rate);
                    throw;
                }
                loss_sum += r.loss * r.count;
                metric_sum += r.metric * r.count;
                count += r.count;
                progress_.update(s + 1, {{"loss", r.loss}, {names_.short_name, r.metric}, {"lr", lr}}, r.count);
                if ((s + 1) % loop_.log_every == 0 || s + 1 == steps)
                    run_.append_metrics({{"phase", "train"},
                                         {"epoch", epoch},
                                         {"step", s + 1},
                                         {"loss", r.loss},
                                         {names_.metric, r.metric},
                                         {"lr", lr}});
                if constexpr (kMidEpoch) {
                    if (s + 1 < steps && checkpoint_every_s_ >= 0 &&
                        run::seconds_since(last_save_) >= checkpoint_every_s_) {
                        last_checkpoint = save_step_checkpoint(epoch, s + 1, sums);
                        steps_saved = s + 1;
                    }
                }
            }
            const double train_seconds = run::seconds_since(t0);
            rate = count / std::max(train_seconds, 1e-9);
            // The task's own end of epoch (PTB: validation ppl, the NT-ASGD switch), before the test.
            nlohmann::json extra;
            if constexpr (requires {
                              { task_.end_epoch(arch_, epoch) } -> std::convertible_to<nlohmann::json>;
                          })
                extra = task_.end_epoch(arch_, epoch);
            const double test_metric = task_.evaluate(Split::test, [&] { return arch_; });
            nlohmann::json record = {{"phase", "epoch"},
                                     {"epoch", epoch},
                                     {"lr", lr},
                                     {"train_loss", loss_sum / count},
                                     {train_key, metric_sum / count},
                                     {test_key, test_metric},
                                     {names_.rate, rate},
                                     {"seconds", run::seconds_since(t0)}};
            if (extra.is_object()) record.update(extra);
            progress_.end({{"loss", loss_sum / count},
                           {"train_" + names_.short_name, metric_sum / count},
                           {"test_" + names_.short_name, test_metric}});
            run_.append_metrics(record);
            history_.push_back(record);
            save_checkpoint(epoch + 1);
        }
        return write_summary(end == loop_.epochs ? "finished" : "stopped", rate);
    }

private:
    struct Sums {
        double loss = 0, metric = 0;
        std::int64_t count = 0;
    };

    void save_checkpoint(std::int64_t epochs_done) {
        run::CheckpointWriter w;
        nlohmann::json progress = {{"epochs_done", epochs_done}, {"history", history_}};
        task_.save(w, progress);
        w.add_json("progress", progress);
        checkpoints_.save(epochs_done, w);
        steps_.remove_after(-1);  // the epoch checkpoint supersedes every mid-epoch one
        last_save_ = std::chrono::steady_clock::now();
    }

    /// A mid-epoch checkpoint after `steps_done` steps of epoch `epoch` (0-based); returns its path.
    std::filesystem::path save_step_checkpoint(std::int64_t epoch, std::int64_t steps_done, const Sums& sums) {
        run::CheckpointWriter w;
        nlohmann::json progress = {
            {"epochs_done", epoch},
            {"steps_done", steps_done},
            {"epoch_sums", {{"loss", sums.loss}, {"metric", sums.metric}, {"count", sums.count}}},
            {"history", history_}};
        task_.save(w, progress);
        w.add_json("progress", progress);
        last_save_ = std::chrono::steady_clock::now();
        return steps_.save(steps_done, w);
    }

    nlohmann::json write_summary(const std::string& status, double rate) {
        const std::string train_key = "train_" + names_.metric, test_key = "test_" + names_.metric;
        const nlohmann::json last = history_.empty() ? nlohmann::json::object() : history_.back();
        nlohmann::json s = {{"status", status},
                            {"arch", arch_.to_string()},
                            {"space", search::space_name(task_.space())},
                            {"params", task_.num_params()},
                            {"epochs", history_.size()},
                            {train_key, last.value(train_key, 0.0)},
                            {test_key, last.value(test_key, 0.0)},
                            {names_.rate, rate},
                            {"history", history_}};
        double best = 0;
        for (std::size_t i = 0; i < history_.size(); ++i) {
            const double v = history_[i].value(test_key, 0.0);
            best = i == 0 && !names_.higher_is_better ? v
                   : names_.higher_is_better          ? std::max(best, v)
                                                      : std::min(best, v);
        }
        s["best_" + test_key] = best;
        run_.write_summary(s);
        return s;
    }

    Task& task_;
    Arch arch_;
    LoopConfig loop_;
    run::RunFolder& run_;
    run::ProgressReporter& progress_;
    run::CheckpointSet checkpoints_;
    run::CheckpointSet steps_;  // mid-epoch checkpoints, keyed by the steps done in their epoch
    MetricNames names_;
    std::int64_t start_epoch_ = 0;
    std::int64_t start_step_ = 0;  // > 0 when resumed from a mid-epoch checkpoint
    Sums start_sums_;
    double checkpoint_every_s_ = 30 * 60.0;
    std::chrono::steady_clock::time_point last_save_ = std::chrono::steady_clock::now();
    nlohmann::json history_ = nlohmann::json::array();
};

}  // namespace enas::train
