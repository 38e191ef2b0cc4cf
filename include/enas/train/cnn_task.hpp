// The CNN spaces (macro and micro) as Tasks of the generic loops (task.hpp): a child model of
// either space, its ChildSgd, the CnnData splits and their batch streams. CnnTask trains a fixed
// architecture (cifar_train); CnnSearchTask adds the controller's reward, the accuracy of an
// architecture on a fresh unaugmented validation batch (reference §7.3), and the derive batches.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "enas/child/macro_child.hpp"
#include "enas/child/micro_child.hpp"
#include "enas/core/context.hpp"
#include "enas/core/error.hpp"
#include "enas/data/batch_loader.hpp"
#include "enas/data/samplers.hpp"
#include "enas/optim/child_sgd.hpp"
#include "enas/run/checkpoint.hpp"
#include "enas/search/macro_arch.hpp"
#include "enas/search/micro_arch.hpp"
#include "enas/search/space.hpp"
#include "enas/train/child_checkpoint.hpp"
#include "enas/train/child_steps.hpp"
#include "enas/train/cnn_config.hpp"
#include "enas/train/cnn_setup.hpp"
#include "enas/train/loop_config.hpp"
#include "enas/train/search_config.hpp"
#include "enas/train/task.hpp"

namespace enas::train {

/// The loops' settings of a CnnConfig: its epochs, metrics cadence and SGDR schedule.
inline LoopConfig loop_config_of(const CnnConfig& c) {
    return {c.epochs, c.log_every, [schedule = lr_schedule_of(c)](std::int64_t epoch) { return schedule.lr(epoch); }};
}

/// A CNN child (MacroChild<D> with MacroArch, MicroChild<D> with MicroArch) training one given
/// architecture per step. `config`, `data` and `model` must outlive the task.
template <Device D, class Model, class ArchT>
class CnnTask {
public:
    using Arch = ArchT;

    /// Final training: the model's drop-path schedule (set_progress, where it has one) follows
    /// the global step.
    CnnTask(Context<D>& ctx, const CnnConfig& config, const CnnData& data, Model& model)
        : CnnTask(ctx, config, data, model, true) {}

    search::SearchSpace space() const { return config_.space; }
    MetricNames metric_names() const { return {}; }  // accuracy, images per second
    std::int64_t steps_per_epoch() const { return data::batches_per_epoch(data_.train.size(), config_.batch, false); }
    std::int64_t num_params() const { return model_.arena().trainable_elements(); }

    /// Positions the training stream (augmented, shuffled per epoch) at (epoch, step 0).
    void start_training(std::int64_t epoch) { start_training(epoch, 0); }
    /// The same at (epoch, step): resuming from a mid-epoch checkpoint (final_training.hpp).
    void start_training(std::int64_t epoch, std::int64_t step) {
        loader_.reset();
        loader_.emplace(data_.train, data_.stats, train_loader_options(config_, config_.seed), epoch, step);
    }

    /// One SGD step of `arch` on the next training batch (child_steps.hpp); ValueError on a
    /// non-finite loss.
    StepStats train_step(const Arch& arch, double lr, const StepAt& at) {
        check<StateError>(loader_.has_value(), "CnnTask::train_step before start_training");
        const data::Batch batch = loader_->next();
        if constexpr (requires { model_.set_progress(std::int64_t{0}, std::int64_t{0}); })
            if (follow_progress_)
                model_.set_progress(at.epoch * at.steps_per_epoch + at.step, at.epochs * at.steps_per_epoch);
        const StepResult r = train::train_step(ctx_, model_, arch, batch, sgd_, lr);
        return {r.loss, r.accuracy, r.images};
    }

    /// Accuracy over `split` in eval batches under the model's evaluation policy, next_arch()
    /// called once per batch (0 for an empty split, without a call).
    double evaluate(Split split, const std::function<Arch()>& next_arch) {
        const data::ImageDataset& ds = split == Split::train   ? data_.train
                                       : split == Split::valid ? data_.valid
                                                               : data_.test;
        if (ds.size() == 0) return 0.0;
        data::EvalBatches batches(ds, data_.stats, config_.eval_batch);
        std::int64_t correct = 0;
        for (std::int64_t i = 0; i < batches.size(); ++i) {
            const Arch arch = next_arch();
            correct += eval_correct(ctx_, model_, arch, batches.batch(i));
        }
        return static_cast<double>(correct) / static_cast<double>(ds.size());
    }

    /// Weights, BN statistics, momentum (tensors "child/..."), the context's RNG ("progress").
    void save(run::CheckpointWriter& w, nlohmann::json& progress) {
        add_child_state(w, model_.arena(), sgd_);
        save_rng_state(ctx_, progress);
    }
    void restore(const run::Checkpoint& c, const nlohmann::json& progress) {
        restore_child_state(c, model_.arena(), sgd_);
        restore_rng_state(ctx_, progress);
    }

    optim::ChildSgd<D>& optimizer() { return sgd_; }
    Model& model() { return model_; }

protected:
    CnnTask(Context<D>& ctx, const CnnConfig& config, const CnnData& data, Model& model, bool follow_progress)
        : ctx_(ctx), config_(config), data_(data), model_(model), sgd_(ctx, model.arena(), child_sgd_config(config)),
          follow_progress_(follow_progress) {}

    Context<D>& ctx_;
    CnnConfig config_;
    const CnnData& data_;
    Model& model_;
    optim::ChildSgd<D> sgd_;
    bool follow_progress_;
    std::optional<data::BatchLoader> loader_;
};

/// A CNN supernet during the search: CnnTask plus the controller's reward (accuracy on the next
/// batch of a random validation-batch stream whose counter is checkpointed) and derive batches.
template <Device D, class Model, class ArchT>
class CnnSearchTask : public CnnTask<D, Model, ArchT> {
    using Base = CnnTask<D, Model, ArchT>;

public:
    using Arch = ArchT;

    CnnSearchTask(Context<D>& ctx, const CnnConfig& config, const SearchConfig& search, const CnnData& data,
                  Model& model)
        : Base(ctx, config, data, model, false),
          rewards_(data.valid, data.stats, reward_batch_size(config, search, data), config.seed ^ 0x5EA2C4ull) {}

    /// Accuracy of `arch` on the next reward batch.
    double reward(const Arch& arch) { return eval_accuracy(this->ctx_, this->model_, arch, rewards_.next()); }

    /// Mean accuracy of `arch` over `batches` fixed validation batches, drawn at counters the
    /// search never uses (the same batches on every call).
    double derive_reward(const Arch& arch, int batches) {
        const std::uint64_t base = std::uint64_t{1} << 40;
        if (derive_batches_.size() != static_cast<std::size_t>(batches)) {
            derive_batches_.clear();
            for (int b = 0; b < batches; ++b) derive_batches_.push_back(rewards_.sample(base + b));
        }
        double sum = 0;
        for (const data::Batch& b : derive_batches_) sum += eval_accuracy(this->ctx_, this->model_, arch, b);
        return sum / static_cast<double>(derive_batches_.size());
    }

    /// Skips used / possible skips (macro); 0 for micro.
    double skip_rate(const Arch& arch) const {
        if constexpr (std::is_same_v<Arch, search::MacroArch>)
            return arch.skip_rate();
        else
            return 0.0;
    }

    /// CnnTask's state plus the reward stream's counter ("reward_counter").
    void save(run::CheckpointWriter& w, nlohmann::json& progress) {
        Base::save(w, progress);
        progress["reward_counter"] = rewards_.counter();
    }
    void restore(const run::Checkpoint& c, const nlohmann::json& progress) {
        Base::restore(c, progress);
        rewards_.set_counter(progress.at("reward_counter").get<std::uint64_t>());
    }

private:
    static std::int64_t reward_batch_size(const CnnConfig& c, const SearchConfig& s, const CnnData& data) {
        const std::int64_t b = s.reward_batch > 0 ? s.reward_batch : c.batch;
        check<ValueError>(data.valid.size() >= 1, "search: the validation split is empty; set --num-valid > 0");
        return std::min<std::int64_t>(b, data.valid.size());
    }

    data::RandomBatchSampler rewards_;
    std::vector<data::Batch> derive_batches_;
};

template <Device D>
using MacroTask = CnnTask<D, child::MacroChild<D>, search::MacroArch>;
template <Device D>
using MicroTask = CnnTask<D, child::MicroChild<D>, search::MicroArch>;
template <Device D>
using MacroSearchTask = CnnSearchTask<D, child::MacroChild<D>, search::MacroArch>;
template <Device D>
using MicroSearchTask = CnnSearchTask<D, child::MicroChild<D>, search::MicroArch>;

}  // namespace enas::train
