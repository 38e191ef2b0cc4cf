// Final training of one fixed architecture (reference §7.4): SGD epochs over the training split
// with the SGDR schedule, test accuracy after every epoch, metrics.jsonl lines, an atomic
// checkpoint per epoch (weights, BN statistics, momentum, RNG, counters), resume from the newest
// valid checkpoint, and a stop with a message on a non-finite loss (the last good checkpoint
// stays). Used by cifar_train; any CnnChildModel works.
#pragma once
#include <chrono>
#include <ostream>

#include "enas/data/samplers.hpp"
#include "enas/train/child_checkpoint.hpp"
#include "enas/train/child_steps.hpp"
#include "enas/train/cnn_setup.hpp"
#include "enas/run/progress.hpp"
#include "enas/run/run_folder.hpp"

namespace enas::train {

/// Accuracy of `arch` on all of `ds` in eval batches, under the model's evaluation policy.
template <Device D, class Model, class Arch>
double dataset_accuracy(Context<D>& ctx, Model& model, const Arch& arch, const data::ImageDataset& ds,
                        const data::ChannelStats& stats, int eval_batch) {
    if (ds.size() == 0) return 0.0;
    data::EvalBatches batches(ds, stats, eval_batch);
    std::int64_t correct = 0;
    for (std::int64_t i = 0; i < batches.size(); ++i) correct += eval_correct(ctx, model, arch, batches.batch(i));
    return static_cast<double>(correct) / static_cast<double>(ds.size());
}

template <Device D, class Model, class Arch>
class FinalTraining {
public:
    FinalTraining(Context<D>& ctx, const CnnConfig& config, const CnnData& data, Model& model, Arch arch,
                  run::RunFolder& run, run::ProgressReporter& progress)
        : ctx_(ctx), config_(config), data_(data), model_(model), arch_(std::move(arch)), run_(run),
          progress_(progress), sgd_(ctx, model.arena(), child_sgd_config(config)),
          checkpoints_(run.checkpoint_folder()), schedule_(lr_schedule_of(config)) {}

    /// Continues from the newest valid checkpoint of the run folder, if any; returns the epoch
    /// to start from (0 without a checkpoint). Warnings about skipped (damaged) checkpoints go to
    /// the progress reporter.
    std::int64_t resume() {
        const std::optional<nlohmann::json> p = resume_child_run(checkpoints_, run_, progress_, ctx_, model_.arena(), sgd_);
        if (!p) return 0;
        start_epoch_ = p->at("epochs_done").get<std::int64_t>();
        history_ = p->at("history");
        return start_epoch_;
    }

    /// Trains the remaining epochs (or stops after epoch `stop_at` - 1 when 0 <= stop_at <
    /// epochs, as an interruption would); returns the summary (also written to summary.json).
    nlohmann::json run(std::int64_t stop_at = -1) {
        const std::int64_t end = stop_at >= 0 ? std::min(stop_at, config_.epochs) : config_.epochs;
        const std::int64_t steps = data::batches_per_epoch(data_.train.size(), config_.batch, false);
        data::BatchLoader loader(data_.train, data_.stats, train_loader_options(config_, config_.seed), start_epoch_, 0);
        double images_per_second = 0;
        for (std::int64_t epoch = start_epoch_; epoch < end; ++epoch) {
            const double lr = schedule_.lr(epoch);
            const auto t0 = std::chrono::steady_clock::now();
            double loss_sum = 0, acc_sum = 0;
            std::int64_t images = 0;
            progress_.begin("train", epoch, config_.epochs, steps);
            for (std::int64_t s = 0; s < steps; ++s) {
                const data::Batch batch = loader.next();
                if constexpr (requires { model_.set_progress(std::int64_t{0}, std::int64_t{0}); })
                    model_.set_progress(epoch * steps + s, config_.epochs * steps);
                StepResult r;
                try {
                    r = train_step(ctx_, model_, arch_, batch, sgd_, lr);
                } catch (const ValueError& e) {
                    progress_.message(std::string("error: ") + e.what());
                    write_summary("diverged", images_per_second);
                    throw;
                }
                loss_sum += r.loss * r.images;
                acc_sum += r.accuracy * r.images;
                images += r.images;
                progress_.update(s + 1, {{"loss", r.loss}, {"acc", r.accuracy}, {"lr", lr}}, r.images);
                if ((s + 1) % config_.log_every == 0 || s + 1 == steps)
                    run_.append_metrics({{"phase", "train"}, {"epoch", epoch}, {"step", s + 1}, {"loss", r.loss},
                                         {"accuracy", r.accuracy}, {"lr", lr}});
            }
            const double train_seconds = seconds_since(t0);
            images_per_second = images / std::max(train_seconds, 1e-9);
            const double test_accuracy = dataset_accuracy(ctx_, model_, arch_, data_.test, data_.stats, config_.eval_batch);
            const nlohmann::json record = {{"phase", "epoch"}, {"epoch", epoch}, {"lr", lr},
                                           {"train_loss", loss_sum / images}, {"train_accuracy", acc_sum / images},
                                           {"test_accuracy", test_accuracy}, {"images_per_second", images_per_second},
                                           {"seconds", seconds_since(t0)}};
            progress_.end({{"loss", loss_sum / images}, {"train_acc", acc_sum / images}, {"test_acc", test_accuracy}});
            run_.append_metrics(record);
            history_.push_back(record);
            save_checkpoint(epoch + 1);
        }
        return write_summary(end == config_.epochs ? "finished" : "stopped", images_per_second);
    }

    optim::ChildSgd<D>& optimizer() { return sgd_; }

private:
    void save_checkpoint(std::int64_t epochs_done) {
        run::CheckpointWriter w;
        add_child_state(w, model_.arena(), sgd_);
        w.add_json("progress", child_progress(ctx_, epochs_done, history_));
        checkpoints_.save(epochs_done, w);
    }

    nlohmann::json write_summary(const std::string& status, double images_per_second) {
        const nlohmann::json last = history_.empty() ? nlohmann::json::object() : history_.back();
        nlohmann::json s = {{"status", status}, {"arch", arch_.to_string()}, {"space", cnn_space_name(config_.space)},
                            {"params", model_.arena().trainable_elements()}, {"epochs", history_.size()},
                            {"train_accuracy", last.value("train_accuracy", 0.0)},
                            {"test_accuracy", last.value("test_accuracy", 0.0)},
                            {"images_per_second", images_per_second}, {"history", history_}};
        double best = 0;
        for (const auto& h : history_) best = std::max(best, h.value("test_accuracy", 0.0));
        s["best_test_accuracy"] = best;
        run_.write_summary(s);
        return s;
    }

    Context<D>& ctx_;
    CnnConfig config_;
    const CnnData& data_;
    Model& model_;
    Arch arch_;
    run::RunFolder& run_;
    run::ProgressReporter& progress_;
    optim::ChildSgd<D> sgd_;
    run::CheckpointSet checkpoints_;
    SgdrSchedule schedule_;
    std::int64_t start_epoch_ = 0;
    nlohmann::json history_ = nlohmann::json::array();
};

}  // namespace enas::train
